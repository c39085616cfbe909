#!/usr/bin/python3
"""Offline training pipeline for the German-credit probability-of-default model.

Run from the repository root:

    /usr/bin/python3 models/train/train.py [path/to/german-credit.csv]

Writes models/credit-pd.onnx and models/credit-pd.card.json. The card is the
contract with the TypeScript service: it re-implements the feature encoding
from the card alone, so everything the service needs to build the input tensor
(feature order, one-hot category order, types) lives there.

Design choices (the "why"):
* A fixed, rule-based holdout (every 5th data row) rather than a random split,
  so that anyone can reproduce exactly which rows were never seen, without
  knowing the seed.
* All choices (algorithm, hyper-parameters, decision cutoff) are made on the
  800 non-holdout rows with seeded stratified 5-fold CV, so the holdout metrics
  are an honest estimate.
* The ONNX graph is built by hand (no skl2onnx available) and is deliberately
  tiny: LR = MatMul -> Add -> Sigmoid on raw values (standardisation folded
  into the weights), GBT = TreeEnsembleRegressor -> Sigmoid.
* Holdout metrics are computed on a float32 emulation of the exported graph,
  because that is what the service will actually see.
* The service uses the PD as a probability (grades, pricing), so the winner's
  log-odds are Platt-recalibrated, pd = sigmoid(a * logit + b), with (a, b)
  fitted on the 800 training rows' out-of-fold CV logits only. Selection by
  AUC favours strong regularisation, which squeezes the raw PDs towards the
  mean; the Platt step undoes that without changing the ranking (a > 0). It is
  folded into the exported weights/leaves, so the graph shape is unchanged.
* Protected characteristics are not model inputs (version 1.1.0): the CSV's
  personal_status_sex (sex and marital status) and foreign_worker (national
  origin) are excluded from the features and the ONNX input, and listed in
  the card's top-level "excludedFields". The API still accepts them and the
  reference rows still carry them (they are API-shaped requests); the model
  ignores them. age is kept; its use must be reviewed per jurisdiction.
"""

import os

# Pin BLAS to one thread before numpy is imported: multi-threaded reductions
# may sum in a different order between runs, which would break the
# "byte-identical outputs on re-run" requirement.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import csv
import hashlib
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED = 20240601
N_FOLDS = 5
HOLDOUT_EVERY = 5
COST_BAD_APPROVED = 5.0
COST_GOOD_DECLINED = 1.0
# Prefer the simpler, more explainable LR unless trees are clearly better.
LR_PREFERENCE_MARGIN = 0.005

MODEL_ID = "german-credit-pd"
MODEL_VERSION = "1.1.0"
ONNX_FILE = "credit-pd.onnx"
CARD_FILE = "credit-pd.card.json"
INPUT_NAME = "features"
OUTPUT_NAME = "pd"
TARGET = "default"

# (CSV column, API name, type) of every applicant attribute the API accepts,
# in CSV order. Reference rows carry all of them (they are API-shaped
# requests); the model's input is FEATURE_SPEC below.
API_SPEC = [
    ("duration_months", "termMonths", "numeric"),
    ("credit_amount", "amount", "numeric"),
    ("installment_rate_pct", "installmentRatePct", "numeric"),
    ("residence_years", "residenceYears", "numeric"),
    ("age", "age", "numeric"),
    ("existing_credits", "existingCredits", "numeric"),
    ("dependents", "dependents", "numeric"),
    ("has_telephone", "hasTelephone", "boolean"),
    ("foreign_worker", "foreignWorker", "boolean"),
    ("checking_account_status", "checkingAccountStatus", "categorical"),
    ("credit_history", "creditHistory", "categorical"),
    ("purpose", "purpose", "categorical"),
    ("savings_account_bonds", "savingsAccountBonds", "categorical"),
    ("employment_duration", "employmentDuration", "categorical"),
    ("personal_status_sex", "personalStatusSex", "categorical"),
    ("other_debtors_guarantors", "otherDebtorsGuarantors", "categorical"),
    ("property", "property", "categorical"),
    ("other_installment_plans", "otherInstallmentPlans", "categorical"),
    ("housing", "housing", "categorical"),
    ("job", "job", "categorical"),
]

# Protected characteristics: never model inputs, whatever they would add to
# AUC. Written to the card as "excludedFields" so the service (and anyone
# auditing the card) can see what was left out on purpose, and why.
EXCLUDED_FIELDS = [
    ("personalStatusSex",
     "Protected characteristic: the CSV column personal_status_sex encodes the "
     "applicant's sex and marital status, which a credit decision must not be "
     "based on. Accepted by the API but not used by the model."),
    ("foreignWorker",
     "Protected characteristic: the CSV column foreign_worker is a proxy for "
     "national origin, which a credit decision must not be based on. Accepted "
     "by the API but not used by the model."),
]
_EXCLUDED_NAMES = {name for name, _ in EXCLUDED_FIELDS}
assert _EXCLUDED_NAMES <= {name for _, name, _ in API_SPEC}

# The model's features. Order here is the column order of the input tensor;
# it follows the CSV (minus the excluded fields) so the mapping is easy to audit.
FEATURE_SPEC = [f for f in API_SPEC if f[1] not in _EXCLUDED_NAMES]

# Small grids: 800 rows do not support a fine-grained search, and a wide grid
# would mostly fit CV noise.
LR_GRID = [{"C": c} for c in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)]
GBT_GRID = [
    {"maxDepth": d, "nEstimators": n, "learningRate": lr}
    for d in (1, 2, 3)
    for n in (100, 300)
    for lr in (0.05, 0.1)
]


# --------------------------------------------------------------------------
# Data and encoding
# --------------------------------------------------------------------------

def load_csv(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    # Excluded columns are still required: the reference rows carry them.
    expected = [c for c, _, _ in API_SPEC] + [TARGET]
    missing = [c for c in expected if c not in rows[0]]
    if missing:
        sys.exit(f"CSV is missing columns: {missing}")
    return rows, hashlib.sha256(raw).hexdigest()


def build_feature_layout(all_rows, spec=FEATURE_SPEC):
    """Categories come from the FULL CSV (not just training rows) so that a
    category seen only in the holdout still has a column; the model simply
    learned a weight from too few/no examples for it."""
    layout = []
    for col, name, ftype in spec:
        entry = {"column": col, "name": name, "type": ftype}
        if ftype == "categorical":
            entry["categories"] = sorted({r[col] for r in all_rows})
        layout.append(entry)
    return layout


def encode(rows, layout):
    """Exactly the encoding documented in the card (and re-implemented by the
    service): numeric raw, boolean 1/0, categorical one-hot in listed order."""
    out = []
    for r in rows:
        vec = []
        for f in layout:
            v = r[f["column"]]
            if f["type"] == "numeric":
                vec.append(float(v))
            elif f["type"] == "boolean":
                vec.append(1.0 if int(v) == 1 else 0.0)
            else:
                vec.extend(1.0 if v == c else 0.0 for c in f["categories"])
        out.append(vec)
    # Round-trip through float32: the service feeds a float32 tensor, so the
    # model should be trained/evaluated on exactly the values it will see.
    return np.asarray(out, dtype=np.float32).astype(np.float64)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

def make_estimator(algorithm, hp):
    if algorithm == "logistic_regression":
        # Standardising makes one C meaningful across features with very
        # different scales (amount in DM vs. one-hot flags).
        return make_pipeline(
            StandardScaler(),
            LogisticRegression(C=hp["C"], penalty="l2", solver="lbfgs",
                               max_iter=10000, tol=1e-10),
        )
    return GradientBoostingClassifier(
        max_depth=hp["maxDepth"], n_estimators=hp["nEstimators"],
        learning_rate=hp["learningRate"], subsample=1.0, random_state=SEED,
    )


def cross_validate(X, y, algorithm, hp, folds):
    """Mean/std fold AUC plus the out-of-fold PDs and log-odds (the latter are
    what the Platt recalibration is fitted on)."""
    aucs = []
    oof = np.zeros(len(y))
    oof_logit = np.zeros(len(y))
    for train_idx, test_idx in folds:
        est = make_estimator(algorithm, hp).fit(X[train_idx], y[train_idx])
        p = est.predict_proba(X[test_idx])[:, 1]
        oof[test_idx] = p
        oof_logit[test_idx] = est.decision_function(X[test_idx])
        aucs.append(roc_auc_score(y[test_idx], p))
    return float(np.mean(aucs)), float(np.std(aucs)), oof, oof_logit


def sigmoid64(z):
    z = np.asarray(z, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-z))


def fit_platt(z, y, max_iter=100):
    """Platt scaling: maximum-likelihood fit of P(y=1) = sigmoid(a*z + b) on
    the 0/1 labels (no target smoothing), by Newton-Raphson in float64. Two
    parameters, a strictly concave log-likelihood: converges in a handful of
    steps and is fully deterministic. At the optimum the mean calibrated PD
    equals the observed default rate of the rows it was fitted on."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    Z = np.column_stack([z, np.ones_like(z)])
    theta = np.array([1.0, 0.0])
    for _ in range(max_iter):
        p = sigmoid64(Z @ theta)
        grad = Z.T @ (y - p)
        hess = (Z * (p * (1.0 - p))[:, None]).T @ Z
        step = np.linalg.solve(hess, grad)
        theta = theta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    else:
        sys.exit("Platt recalibration did not converge")
    a, b = float(theta[0]), float(theta[1])
    if not a > 0:
        # a <= 0 would reverse (or flatten) the ranking the model was chosen for.
        sys.exit(f"Platt slope a={a} is not positive; refusing to recalibrate")
    return a, b


def platt64(calib, z):
    """Calibrated PD from a float64 logit, in float64."""
    a, b = calib
    return sigmoid64(a * np.asarray(z, dtype=np.float64) + b)


def sigmoid32(z):
    z = np.asarray(z, dtype=np.float32)
    return (np.float32(1.0) / (np.float32(1.0) + np.exp(-z))).astype(np.float32)


def lr_raw_weights(pipe):
    """Fold the StandardScaler into the LR so the graph works on raw values:
    w·(x-mu)/s + b  ==  (w/s)·x + (b - sum(w*mu/s))."""
    scaler = pipe.named_steps["standardscaler"]
    lr = pipe.named_steps["logisticregression"]
    w_std = lr.coef_[0]
    w = w_std / scaler.scale_
    b = float(lr.intercept_[0] - np.sum(w_std * scaler.mean_ / scaler.scale_))
    return w, b


def floor_to_float32(t):
    """Largest float32 <= t. sklearn compares float32 inputs against float64
    thresholds (x <= t); for float32 x that equals x <= floor32(t), so the
    exported float32 threshold reproduces sklearn's splits exactly."""
    t32 = np.float32(t)
    if float(t32) > t:
        t32 = np.nextafter(t32, np.float32(-np.inf))
    return t32


def calibrated_lr_weights(pipe, calib):
    """Raw-value weights with the Platt step folded in:
    a*(w·x + b0) + b  ==  (a*w)·x + (a*b0 + b)."""
    a, b = calib
    w, b0 = lr_raw_weights(pipe)
    return a * w, float(a * b0 + b)


def gbt_trees(gb, calib):
    """Flatten the fitted trees into (base score, per-tree node arrays) with
    leaf values already multiplied by the learning rate. The Platt step is
    folded in: a*(base + sum(leaves)) + b == (a*base + b) + sum(a*leaves)."""
    a, b = calib
    base = float(gb._raw_predict_init(np.zeros((1, gb.n_features_in_)))[0, 0])
    base = a * base + b
    trees = []
    for est in gb.estimators_[:, 0]:
        t = est.tree_
        trees.append({
            "left": t.children_left, "right": t.children_right,
            "feature": t.feature,
            "threshold": np.array([floor_to_float32(v) for v in t.threshold],
                                  dtype=np.float32),
            "value": (np.float64(gb.learning_rate) * a
                      * t.value[:, 0, 0]).astype(np.float32),
        })
    return base, trees


def emulate_onnx(algorithm, model, X, calib):
    """float32 re-computation of the exported graph (Platt step included).
    Holdout metrics are computed from this, so the card matches what
    onnxruntime returns."""
    X32 = X.astype(np.float32)
    if algorithm == "logistic_regression":
        w, b = calibrated_lr_weights(model, calib)
        z = X32 @ w.astype(np.float32).reshape(-1, 1) + np.float32(b)
        return sigmoid32(z[:, 0])
    base, trees = gbt_trees(model, calib)
    z = np.zeros(len(X32), dtype=np.float32)
    for t in trees:
        node = np.zeros(len(X32), dtype=np.int64)
        while True:
            leaf = t["left"][node] == -1
            if leaf.all():
                break
            idx = np.where(~leaf)[0]
            go_left = X32[idx, t["feature"][node[idx]]] <= t["threshold"][node[idx]]
            node[idx] = np.where(go_left, t["left"][node[idx]], t["right"][node[idx]])
        z = (z + t["value"][node]).astype(np.float32)
    return sigmoid32(z + np.float32(base))


# --------------------------------------------------------------------------
# ONNX export
# --------------------------------------------------------------------------

def build_onnx(algorithm, model, width, calib):
    x = helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", width])
    y = helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", 1])
    opsets = [helper.make_opsetid("", 17)]
    if algorithm == "logistic_regression":
        w, b = calibrated_lr_weights(model, calib)
        inits = [
            numpy_helper.from_array(w.astype(np.float32).reshape(width, 1), "coef"),
            numpy_helper.from_array(np.array([b], dtype=np.float32), "intercept"),
        ]
        nodes = [
            helper.make_node("MatMul", [INPUT_NAME, "coef"], ["logit_wx"]),
            helper.make_node("Add", ["logit_wx", "intercept"], ["logit"]),
            helper.make_node("Sigmoid", ["logit"], [OUTPUT_NAME]),
        ]
    else:
        base, trees = gbt_trees(model, calib)
        attrs = {k: [] for k in (
            "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
            "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
            "nodes_missing_value_tracks_true", "target_treeids",
            "target_nodeids", "target_ids", "target_weights")}
        for tid, t in enumerate(trees):
            for nid in range(len(t["left"])):
                is_leaf = t["left"][nid] == -1
                attrs["nodes_treeids"].append(tid)
                attrs["nodes_nodeids"].append(nid)
                attrs["nodes_featureids"].append(0 if is_leaf else int(t["feature"][nid]))
                attrs["nodes_values"].append(0.0 if is_leaf else float(t["threshold"][nid]))
                attrs["nodes_modes"].append("LEAF" if is_leaf else "BRANCH_LEQ")
                # sklearn sends x <= threshold to the left child.
                attrs["nodes_truenodeids"].append(0 if is_leaf else int(t["left"][nid]))
                attrs["nodes_falsenodeids"].append(0 if is_leaf else int(t["right"][nid]))
                attrs["nodes_missing_value_tracks_true"].append(0)
                if is_leaf:
                    attrs["target_treeids"].append(tid)
                    attrs["target_nodeids"].append(nid)
                    attrs["target_ids"].append(0)
                    attrs["target_weights"].append(float(t["value"][nid]))
        inits = []
        nodes = [
            helper.make_node("TreeEnsembleRegressor", [INPUT_NAME], ["logit"],
                             domain="ai.onnx.ml", n_targets=1,
                             aggregate_function="SUM", post_transform="NONE",
                             base_values=[base], **attrs),
            helper.make_node("Sigmoid", ["logit"], [OUTPUT_NAME]),
        ]
        opsets.append(helper.make_opsetid("ai.onnx.ml", 3))
    graph = helper.make_graph(nodes, MODEL_ID, [x], [y], initializer=inits)
    m = helper.make_model(graph, opset_imports=opsets, ir_version=8,
                          producer_name="models/train/train.py",
                          producer_version=MODEL_VERSION)
    helper.set_model_props(m, {"modelId": MODEL_ID, "version": MODEL_VERSION})
    onnx.checker.check_model(m, full_check=True)
    return m


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------

def ks_stat(y, p):
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def cost_at(y, p, cutoff):
    """Decision rule: decline when pd >= cutoff, approve otherwise."""
    decline = p >= cutoff
    bad_approved = int(np.sum((y == 1) & ~decline))
    good_declined = int(np.sum((y == 0) & decline))
    cost = COST_BAD_APPROVED * bad_approved + COST_GOOD_DECLINED * good_declined
    return cost, {
        "badApproved": bad_approved, "badDeclined": int(np.sum((y == 1) & decline)),
        "goodApproved": int(np.sum((y == 0) & ~decline)), "goodDeclined": good_declined,
    }


def choose_cutoff(y, p):
    """Minimise 5:1 expected cost over cutoffs placed midway between
    consecutive distinct out-of-fold PDs (so no training row sits exactly on
    the cutoff). Ties in cost go to the higher cutoff (approve more)."""
    u = np.unique(p)
    candidates = np.concatenate([[0.0], (u[:-1] + u[1:]) / 2.0, [1.0 + 1e-9]])
    best = None
    for c in candidates:
        cost, _ = cost_at(y, p, c)
        if best is None or cost <= best[0]:
            best = (cost, float(c))
    return best[1]


def check_pairwise_order(y, p64, p32):
    """AUC only depends on the order of (bad, good) pairs. Confirm the float32
    graph orders every such pair as the float64 model does, and report how
    close the closest discordant-label pair is (a margin against the small
    summation-order differences inside onnxruntime)."""
    bad, good = np.where(y == 1)[0], np.where(y == 0)[0]
    s64 = np.sign(p64[bad][:, None] - p64[good][None, :])
    s32 = np.sign(p32[bad][:, None].astype(np.float64) - p32[good][None, :])
    gap = np.abs(p32[bad][:, None].astype(np.float64) - p32[good][None, :])
    nonzero = gap[gap > 0]
    return bool(np.array_equal(s64, s32)), int(np.sum(gap == 0)), float(nonzero.min())


def rnd(v, digits=6):
    return float(round(float(v), digits))


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv", nargs="?", default="models/train/data/german-credit.csv",
                    help="path to german-credit.csv (relative to cwd = repo root)")
    ap.add_argument("--out-dir", default="models",
                    help="where the .onnx and .card.json are written")
    ap.add_argument("--force-algorithm", choices=["logistic_regression", "gradient_boosted_trees"],
                    help="testing only: export this algorithm's best candidate "
                         "even if it does not win CV")
    args = ap.parse_args()

    rows, sha = load_csv(args.csv)
    layout = build_feature_layout(rows)
    if any(f["name"] in _EXCLUDED_NAMES for f in layout):
        sys.exit("an excluded (protected) field is in the model's feature layout")
    # All API applicant fields, for the API-shaped reference rows only.
    api_layout = build_feature_layout(rows, API_SPEC)
    X_all = encode(rows, layout)
    y_all = np.array([int(r[TARGET]) for r in rows])
    row_no = np.arange(1, len(rows) + 1)  # 1-based data-row number
    hold = row_no % HOLDOUT_EVERY == 0
    Xtr, ytr, Xho, yho = X_all[~hold], y_all[~hold], X_all[hold], y_all[hold]
    tr_rows = [r for r, h in zip(rows, hold) if not h]
    width = X_all.shape[1]
    print(f"rows={len(rows)} train={len(ytr)} holdout={len(yho)} width={width}")

    # Same folds for every candidate so their CV AUCs are directly comparable.
    folds = list(StratifiedKFold(n_splits=N_FOLDS, shuffle=True,
                                 random_state=SEED).split(Xtr, ytr))
    candidates = []
    for algorithm, grid in (("logistic_regression", LR_GRID),
                            ("gradient_boosted_trees", GBT_GRID)):
        for hp in grid:
            mean_auc, std_auc, oof, oof_logit = cross_validate(Xtr, ytr, algorithm, hp, folds)
            candidates.append({"algorithm": algorithm, "hyperparameters": hp,
                               "meanAuc": mean_auc, "stdAuc": std_auc,
                               "oof": oof, "oofLogit": oof_logit})
            # OOF Brier is informational only (selection is by AUC): it shows
            # how much strong regularisation compresses the PDs.
            print(f"  {algorithm:24s} {json.dumps(hp, sort_keys=True):60s} "
                  f"AUC {mean_auc:.4f} ± {std_auc:.4f}  oofBrier {np.mean((oof - ytr) ** 2):.4f}")

    def best_of(alg):
        # max() keeps the first of equal scores, i.e. the earlier (simpler) grid point.
        return max((c for c in candidates if c["algorithm"] == alg),
                   key=lambda c: c["meanAuc"])
    best_lr, best_gbt = best_of("logistic_regression"), best_of("gradient_boosted_trees")
    if args.force_algorithm:
        winner = best_of(args.force_algorithm)
    elif best_gbt["meanAuc"] > best_lr["meanAuc"] + LR_PREFERENCE_MARGIN:
        winner = best_gbt
    else:
        winner = best_lr
    algorithm, hp = winner["algorithm"], winner["hyperparameters"]
    print(f"winner: {algorithm} {hp} cvAuc={winner['meanAuc']:.4f}")

    # Platt recalibration on the winner's out-of-fold logits (same seeded
    # folds; the holdout plays no part). OOF rather than in-sample logits,
    # because in-sample scores are over-confident and would under-correct.
    calib = fit_platt(winner["oofLogit"], ytr)
    oof_cal = platt64(calib, winner["oofLogit"])
    print(f"platt: a={calib[0]:.6f} b={calib[1]:.6f}  "
          f"oofBrier raw {np.mean((winner['oof'] - ytr) ** 2):.4f} -> "
          f"calibrated {np.mean((oof_cal - ytr) ** 2):.4f}  "
          f"oofMeanPd {oof_cal.mean():.4f} (default rate {ytr.mean():.4f})")

    # Cutoff from calibrated out-of-fold predictions: in-sample PDs would be
    # over-confident and push the cutoff in the wrong place.
    cutoff = choose_cutoff(ytr, oof_cal)

    model = make_estimator(algorithm, hp).fit(Xtr, ytr)

    # Uncalibrated holdout view, printed for information only (not in the card).
    p32_raw_ho = emulate_onnx(algorithm, model, Xho, (1.0, 0.0)).astype(np.float64)

    # Sanity: the float32 graph emulation must agree with sklearn's float64
    # logit followed by the float64 Platt transform.
    p64_ho = platt64(calib, model.decision_function(Xho))
    p32_ho = emulate_onnx(algorithm, model, Xho, calib)
    max_diff = float(np.max(np.abs(p32_ho - p64_ho)))
    same_order, zero_gap_pairs, min_gap = check_pairwise_order(yho, p64_ho, p32_ho)
    print(f"holdout float32-vs-sklearn max|dpd|={max_diff:.2e} "
          f"pairOrderIdentical={same_order} tiedPairs={zero_gap_pairs} minPairGap={min_gap:.2e}")
    if max_diff > 1e-6 or not same_order:
        sys.exit("float32 graph emulation disagrees with sklearn; refusing to export")
    auc64 = roc_auc_score(yho, p64_ho)
    holdout_auc = roc_auc_score(yho, p32_ho)
    assert abs(auc64 - holdout_auc) < 1e-12

    p32_tr = emulate_onnx(algorithm, model, Xtr, calib)
    # PSI reference: deciles of in-sample training PDs. Bin i holds
    # edges[i-1] <= pd < edges[i] (searchsorted side="right").
    edges = np.quantile(p32_tr.astype(np.float64), np.linspace(0.1, 0.9, 9))
    bins = np.searchsorted(edges, p32_tr.astype(np.float64), side="right")
    proportions = np.bincount(bins, minlength=10) / len(p32_tr)

    # Holdout calibration by predicted-PD decile (1 = lowest PD); a stable sort
    # with row number as tie-break keeps the grouping deterministic.
    order = np.lexsort((row_no[hold], p32_ho))
    calibration = []
    for d, idx in enumerate(np.array_split(order, 10), start=1):
        calibration.append({
            "decile": d, "count": int(len(idx)),
            "meanPd": rnd(np.mean(p32_ho[idx].astype(np.float64))),
            "observedDefaultRate": rnd(np.mean(yho[idx])),
        })
    # Same grouping (Platt is monotone, so the deciles hold the same rows).
    print("holdout calibration by PD decile: meanPd raw -> calibrated | observed")
    for c, idx in zip(calibration, np.array_split(order, 10)):
        print(f"  {c['decile']:2d}  {np.mean(p32_raw_ho[idx]):.3f} -> {c['meanPd']:.3f} "
              f"| {c['observedDefaultRate']:.2f}")
    print(f"holdout Brier raw {np.mean((p32_raw_ho - yho) ** 2):.4f}")

    ho_cost, confusion = cost_at(yho, p32_ho.astype(np.float64), cutoff)
    baseline = COST_BAD_APPROVED * int(np.sum(yho == 1)) / len(yho)

    features = []
    for f in layout:
        vals = [r[f["column"]] for r in tr_rows]
        entry = {"name": f["name"], "type": f["type"]}
        if f["type"] == "numeric":
            nums = np.array([float(v) for v in vals])
            entry.update(reference=rnd(nums.mean()),
                         min=_num(nums.min()), max=_num(nums.max()))
        else:
            counts = {}
            for v in vals:
                counts[v] = counts.get(v, 0) + 1
            # Most frequent; alphabetical tie-break for determinism.
            mode = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if f["type"] == "boolean":
                entry["reference"] = int(mode) == 1
            else:
                entry.update(categories=f["categories"], reference=mode)
        features.append(entry)

    # Reference rows for the service's regression test: every 10th holdout row
    # (data rows 50, 100, ..., 1000), spread across the file. Their input is
    # a full API request, so it includes the excluded fields (which the model
    # ignores); expectedPd comes from the model's features only.
    ho_rows = [(n, r) for n, r, h in zip(row_no, rows, hold) if h]
    ref_sel = [(i, n, r) for i, (n, r) in enumerate(ho_rows) if n % 50 == 0][:20]
    reference_rows = []
    for i, n, r in ref_sel:
        applicant = {}
        for f in api_layout:
            v = r[f["column"]]
            if f["type"] == "numeric":
                v = _num(float(v))
            elif f["type"] == "boolean":
                v = int(v) == 1
            applicant[f["name"]] = v
        top = {"amount": applicant.pop("amount"), "termMonths": applicant.pop("termMonths")}
        reference_rows.append({"row": int(n), "input": {**top, "applicant": applicant},
                               "expectedPd": float(p64_ho[i])})

    hyperparameters = dict(hp)
    if algorithm == "logistic_regression":
        hyperparameters.update(penalty="l2", solver="lbfgs", standardize=True,
                               standardizationFoldedIntoWeights=True)
    # Full float64 values (not rounded): with sklearn's logit they reproduce
    # referenceRows[].expectedPd exactly. Already folded into the ONNX graph.
    hyperparameters["calibration"] = {
        "method": "platt", "a": calib[0], "b": calib[1],
        "fittedOn": f"out-of-fold CV logits of the {len(ytr)} training rows",
    }

    card = {
        "modelId": MODEL_ID,
        "version": MODEL_VERSION,
        "file": ONNX_FILE,
        "algorithm": algorithm,
        "hyperparameters": hyperparameters,
        "input": {"name": INPUT_NAME, "type": "float32", "width": int(width)},
        "output": {"name": OUTPUT_NAME},
        "features": features,
        "excludedFields": [{"field": name, "why": why} for name, why in EXCLUDED_FIELDS],
        "training": {
            "dataFile": os.path.basename(args.csv),
            "dataSha256": sha,
            "rows": int(len(ytr)),
            "holdoutRows": int(len(yho)),
            "holdoutRule": "1-based data row number divisible by 5",
            "defaultRate": rnd(ytr.mean()),
            "seed": SEED,
            "cv": {
                "folds": N_FOLDS,
                "candidates": [{"algorithm": c["algorithm"],
                                "hyperparameters": c["hyperparameters"],
                                "meanAuc": rnd(c["meanAuc"]), "stdAuc": rnd(c["stdAuc"])}
                               for c in candidates],
            },
        },
        "metrics": {
            "cvAuc": rnd(winner["meanAuc"]),
            # Exact rational (Mann-Whitney count / pairs); 12 digits keeps it
            # well inside the service test's 1e-6 tolerance.
            "holdoutAuc": rnd(holdout_auc, 12),
            "holdoutKs": rnd(ks_stat(yho, p32_ho)),
            "holdoutBrier": rnd(np.mean((p32_ho.astype(np.float64) - yho) ** 2)),
            "calibration": calibration,
            "cutoff": {
                "pd": cutoff,
                "holdoutExpectedCost": rnd(ho_cost / len(yho)),
                "holdoutConfusion": confusion,
                "baselineCostApproveAll": rnd(baseline),
            },
        },
        "scoreDistribution": {
            "binEdges": [float(e) for e in edges],
            "proportions": [rnd(p) for p in proportions],
        },
        "referenceRows": reference_rows,
        "decisionRule": "decline when pd >= metrics.cutoff.pd",
    }

    os.makedirs(args.out_dir, exist_ok=True)
    onnx_model = build_onnx(algorithm, model, width, calib)
    onnx_bytes = onnx_model.SerializeToString()
    # The service refuses a model file whose hash differs from the card's (a corrupted or swapped file).
    card["fileSha256"] = hashlib.sha256(onnx_bytes).hexdigest()
    with open(os.path.join(args.out_dir, ONNX_FILE), "wb") as fh:
        fh.write(onnx_bytes)
    with open(os.path.join(args.out_dir, CARD_FILE), "w", encoding="utf-8") as fh:
        json.dump(card, fh, indent=2, sort_keys=True, ensure_ascii=False)
        fh.write("\n")

    m = card["metrics"]
    print(f"holdout AUC={m['holdoutAuc']:.4f} KS={m['holdoutKs']:.4f} "
          f"Brier={m['holdoutBrier']:.4f} cutoff={cutoff:.4f} "
          f"cost={m['cutoff']['holdoutExpectedCost']:.3f} (approve-all {baseline:.3f})")
    print(f"wrote {args.out_dir}/{ONNX_FILE} and {args.out_dir}/{CARD_FILE}")


def _num(v):
    """Integers as JSON ints (the CSV's numeric columns are all whole numbers)."""
    v = float(v)
    return int(v) if v.is_integer() else v


if __name__ == "__main__":
    main()
