// The "tester" population: written from a description of a hand-built test population.
// 90 days of applications (2,627 at the default size): households of 1-4 people sharing an
// address, a home phone, a family tablet and the home IP; ten dormitories of 6-12 people at one
// address each; second-hand phones and devices chaining about 8% of unrelated households; and
// about 5% ring members in eight shapes, about 30% of whom give the address of a real household.
// Deterministic: a seeded sfc32 PRNG, no clock, no Math.random.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

const NAME = 'tester';
const DEFAULT_SIZE = 2627;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const SPAN_DAYS = 90;
/** 2025-03-03 00:00 at UTC+8: the population's local midnight on day 0. */
const START = Date.UTC(2025, 2, 2, 16, 0, 0);
/** Share of legitimate applicants drawn from the weak (poor credit risk) profile. */
const WEAK_SHARE = 0.24;
/** Share of applications that belong to rings (138 of 2,627 at the default size). */
const RING_SHARE = 0.0525;
/** Dormitories at the default size (scaled with size). */
const DORMS_AT_DEFAULT = 10;
/** Share of households caught in a second-hand phone/device chain. */
const CHAIN_SHARE = 0.08;
/** Share of legitimate people who apply twice in the window (reapply after a decline, or a second product). */
const REPEAT_SHARE = 0.035;

const RING_SHAPES = [
  'device-farm',
  'sim-farm',
  'mule-accounts',
  'identity-reuse',
  'synthetic-identities',
  'device-chain',
  'household-camouflage',
  'employer-cover',
] as const;
type Shape = (typeof RING_SHAPES)[number];
const LEGIT = ['single', 'household', 'dorm', 'second-hand-chain'] as const;

/** Size range a ring of each shape is first drawn from (then adjusted so the total hits the ring share). */
const SHAPE_SIZE: Record<Shape, readonly [number, number]> = {
  'device-farm': [8, 18],
  'sim-farm': [6, 14],
  'mule-accounts': [5, 12],
  'identity-reuse': [6, 10],
  'synthetic-identities': [5, 12],
  'device-chain': [5, 12],
  'household-camouflage': [4, 10],
  'employer-cover': [6, 14],
};

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 expands the seed into sfc32's state.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(table: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (let i = 0; i < table.length; i++) total += (table[i] as readonly [T, number])[1];
    let r = this.next() * total;
    for (let i = 0; i < table.length; i++) {
      const row = table[i] as readonly [T, number];
      r -= row[1];
      if (r < 0) return row[0];
    }
    return (table[table.length - 1] as readonly [T, number])[0];
  }

  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  digits(n: number): string {
    let s = '';
    while (s.length < n) s += String(this.u32() % 1_000_000).padStart(6, '0');
    return s.slice(0, n);
  }

  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Geography and names
// ---------------------------------------------------------------------------------------------

type Region = 'east' | 'north' | 'south' | 'west';

interface City {
  readonly name: string;
  readonly region: Region;
  /** Telephone area code without the trunk 0. */
  readonly area: string;
  /** Administrative division codes that open national ids issued there. */
  readonly idPrefixes: readonly string[];
  readonly districts: readonly string[];
  readonly weight: number;
}

const CITIES: readonly City[] = [
  { name: 'Shanghai', region: 'east', area: '21', idPrefixes: ['310104', '310115', '310112', '310106'], districts: ['Xuhui District', 'Pudong New Area', 'Minhang District', "Jing'an District", 'Yangpu District'], weight: 5 },
  { name: 'Hangzhou', region: 'east', area: '571', idPrefixes: ['330106', '330102', '330108'], districts: ['Xihu District', 'Gongshu District', 'Binjiang District', 'Shangcheng District'], weight: 3 },
  { name: 'Nanjing', region: 'east', area: '25', idPrefixes: ['320106', '320104', '320113'], districts: ['Gulou District', 'Qinhuai District', 'Jianye District', 'Qixia District'], weight: 2 },
  { name: 'Beijing', region: 'north', area: '10', idPrefixes: ['110105', '110108', '110102', '110106'], districts: ['Chaoyang District', 'Haidian District', 'Xicheng District', 'Fengtai District'], weight: 5 },
  { name: 'Tianjin', region: 'north', area: '22', idPrefixes: ['120101', '120104', '120110'], districts: ['Heping District', 'Nankai District', 'Dongli District', 'Hexi District'], weight: 2 },
  { name: 'Shijiazhuang', region: 'north', area: '311', idPrefixes: ['130102', '130104'], districts: ['Chang\'an District', 'Qiaoxi District', 'Yuhua District'], weight: 1.5 },
  { name: 'Guangzhou', region: 'south', area: '20', idPrefixes: ['440106', '440104', '440111'], districts: ['Tianhe District', 'Yuexiu District', 'Baiyun District', 'Haizhu District'], weight: 4 },
  { name: 'Shenzhen', region: 'south', area: '755', idPrefixes: ['440305', '440304', '440306'], districts: ['Nanshan District', 'Futian District', "Bao'an District", 'Longgang District'], weight: 4 },
  { name: 'Xiamen', region: 'south', area: '592', idPrefixes: ['350203', '350206'], districts: ['Siming District', 'Huli District', 'Jimei District'], weight: 1.5 },
  { name: 'Chengdu', region: 'west', area: '28', idPrefixes: ['510107', '510104', '510106'], districts: ['Wuhou District', 'Jinjiang District', 'Jinniu District', 'Chenghua District'], weight: 3 },
  { name: 'Chongqing', region: 'west', area: '23', idPrefixes: ['500103', '500105', '500106'], districts: ['Yuzhong District', 'Jiangbei District', 'Shapingba District', 'Nan\'an District'], weight: 2.5 },
  { name: "Xi'an", region: 'west', area: '29', idPrefixes: ['610113', '610103', '610104'], districts: ['Yanta District', 'Beilin District', 'Lianhu District', 'Weiyang District'], weight: 2 },
];
const CITY_TABLE: readonly (readonly [City, number])[] = CITIES.map((c) => [c, c.weight] as const);
/** Id prefixes of places people migrate from (Henan, Anhui, Hunan, Sichuan, Hebei, Jiangxi ...). */
const MIGRANT_PREFIXES = ['410102', '410323', '411302', '340102', '341221', '430104', '431102', '511321', '513022', '130682', '360102', '362430', '450102', '420106'];

const STREETS = [
  'Zhongshan Road', 'Renmin Road', 'Jiefang Road', 'Huaihai Road', 'Jianshe Road', 'Heping Avenue', 'Xinhua Street',
  'Changjiang Road', "Yan'an Road", 'Wenhua Road', 'Binhe Avenue', 'Chaoyang Road', 'Dongfeng Road', 'Keji Road',
  'Jinxiu Road', 'Guangming Street', 'Qingnian Road', 'Shengli Road', 'Hongqi Road', 'Xingfu Lane', 'Yingbin Avenue',
  'Fuxing Road', 'Tianfu Avenue', 'Xiangyang Road', 'Nanjing Road', 'Beijing Road', 'Century Avenue', 'Huangpu Road',
];
const COMPOUNDS = [
  'Jinxiu Garden', 'Lijing Residence', 'Yuhua Community', 'Cuiwei Court', 'Haitang Garden', 'Xinyuan Estate', 'Mingzhu Garden',
  'Huafu New Village', 'Tianrun Residence', 'Lanting Court', 'Bihai Garden', 'Yijing Community', 'Fuli City', 'Wanke Park',
];
const SURNAMES = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'lin', 'luo', 'gao', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng'];
const GIVEN = ['wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'tao', 'ming', 'chao', 'xiu', 'xia', 'ping', 'gang', 'hui', 'hong', 'bo', 'yu', 'hao', 'xin', 'yi', 'ting', 'peng', 'fei', 'lin', 'qian', 'yue', 'zihan', 'haoran', 'yuxuan', 'zixuan', 'xinyi', 'jiahui', 'junjie'];
const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [['qq.com', 0.34], ['163.com', 0.24], ['126.com', 0.1], ['sina.com', 0.05], ['gmail.com', 0.07], ['outlook.com', 0.08], ['foxmail.com', 0.05], ['139.com', 0.04], ['yeah.net', 0.03]];

/** Employers many unrelated people work for: legitimate hubs. */
const NATIONAL_EMPLOYERS = [
  'China Mobile Communications Co., Ltd.', 'State Grid Corporation of China', 'Industrial and Commercial Bank of China Ltd.',
  'China Post Group Co., Ltd.', 'Huawei Technologies Co., Ltd.', 'BYD Co., Ltd.', 'SF Express Co., Ltd.', 'China Railway Group Ltd.',
  'Meituan Technology Co., Ltd.', 'Ping An Insurance Co., Ltd.', 'China Unicom Co., Ltd.', 'Sinopec Sales Co., Ltd.',
];
const CITY_EMPLOYER_TEMPLATES = [
  '{c} Metro Group Co., Ltd.', "{c} First People's Hospital", '{c} Municipal Education Bureau', '{c} Public Transport Group Co., Ltd.',
  '{c} Water Supply Co., Ltd.', '{c} Rural Commercial Bank Co., Ltd.', '{c} Urban Management Bureau', '{c} University',
];
const SMALL_WORDS = ['Xinyuan', 'Huaxing', 'Jinhui', 'Tianli', 'Hengtong', 'Ruifeng', 'Yongsheng', 'Dingsheng', 'Kaida', 'Mingde', 'Baolong', 'Hongyun', 'Fuda', 'Longxiang', 'Xinghe', 'Zhongyi', 'Anda', 'Jiahe', 'Shunfa', 'Huitong', 'Chuangxin', 'Lianhe', 'Boya', 'Qianhe'];
const SMALL_INDUSTRIES = ['Trading', 'Catering Management', 'Logistics', 'Technology', 'Garment', 'Decoration Engineering', 'Property Management', 'Auto Repair', 'Electronics', 'Education Consulting', 'Pharmacy', 'Hotel Management', 'Printing', 'Construction'];

// ---------------------------------------------------------------------------------------------
// Canonical identifiers and how applicants type them
// ---------------------------------------------------------------------------------------------

/** Identifiers in canonical form; rendered with per-application spelling variation at the end. */
interface Ids {
  nationalId?: string;
  /** 'm:<11-digit mobile>' or 'l:<area>:<local>' */
  phone?: string;
  /** lower-case; a UUID (iOS) is typed upper-case, a hex id (Android, browser) lower-case */
  deviceId?: string;
  ip?: string;
  email?: string;
  /** address parts joined by '|' */
  address?: string;
  bankAccount?: string;
  employer?: string;
}

function spacedEnds(rng: Rng, s: string): string {
  const r = rng.next();
  if (r < 0.02) return ` ${s}`;
  if (r < 0.05) return `${s} `;
  return s;
}

function renderPhone(rng: Rng, c: string): string {
  if (c.startsWith('m:')) {
    const n = c.slice(2);
    const a = n.slice(0, 3);
    const b = n.slice(3, 7);
    const d = n.slice(7);
    const v = rng.weighted<number>([[0, 0.34], [1, 0.18], [2, 0.14], [3, 0.1], [4, 0.08], [5, 0.07], [6, 0.05], [7, 0.04]]);
    switch (v) {
      case 0: return spacedEnds(rng, n);
      case 1: return `${a} ${b} ${d}`;
      case 2: return `+86 ${a} ${b} ${d}`;
      case 3: return `+86${n}`;
      case 4: return `0086 ${n}`;
      case 5: return `${a}-${b}-${d}`;
      case 6: return `86 ${n}`;
      default: return `+86-${a}-${b}-${d}`;
    }
  }
  const [, area = '', local = ''] = c.split(':');
  const l1 = local.slice(0, 4);
  const l2 = local.slice(4);
  const v = rng.weighted<number>([[0, 0.35], [1, 0.2], [2, 0.15], [3, 0.1], [4, 0.12], [5, 0.08]]);
  switch (v) {
    case 0: return `0${area}-${local}`;
    case 1: return `0${area}-${l1} ${l2}`;
    case 2: return `(0${area}) ${local}`;
    case 3: return `+86 ${area} ${l1} ${l2}`;
    case 4: return `0${area}${local}`;
    default: return `0086-${area}-${local}`;
  }
}

function renderDevice(rng: Rng, c: string): string {
  const natural = c.includes('-') ? c.toUpperCase() : c;
  const other = c.includes('-') ? c : c.toUpperCase();
  return spacedEnds(rng, rng.chance(0.9) ? natural : other);
}

function renderIp(rng: Rng, c: string): string {
  if (c.includes(':')) return rng.chance(0.8) ? c : c.toUpperCase();
  return spacedEnds(rng, c);
}

function capitalise(s: string): string {
  return s.length === 0 ? s : (s[0] as string).toUpperCase() + s.slice(1);
}

function renderEmail(rng: Rng, c: string): string {
  const [local = '', domain = ''] = c.split('@');
  const v = rng.weighted<number>([[0, 0.72], [1, 0.1], [2, 0.06], [3, 0.04], [4, 0.08]]);
  switch (v) {
    case 0: return c;
    case 1: return `${local.split('.').map(capitalise).join('.')}@${domain}`;
    case 2: return `${local}@${domain.toUpperCase()}`;
    case 3: return c.toUpperCase();
    default: return spacedEnds(rng, `${capitalise(local)}@${domain}`);
  }
}

function renderNationalId(rng: Rng, c: string): string {
  const v = rng.weighted<number>([[0, 0.72], [1, 0.12], [2, 0.06], [3, 0.06], [4, 0.04]]);
  const x = c.endsWith('X') && rng.chance(0.3) ? `${c.slice(0, -1)}x` : c;
  switch (v) {
    case 0: return x;
    case 1: return `${x.slice(0, 6)} ${x.slice(6, 14)} ${x.slice(14)}`;
    case 2: return `${x.slice(0, 6)}-${x.slice(6, 14)}-${x.slice(14)}`;
    case 3: return spacedEnds(rng, x);
    default: return `${x.slice(0, 6)} ${x.slice(6, 10)} ${x.slice(10, 14)} ${x.slice(14)}`;
  }
}

function renderBank(rng: Rng, c: string): string {
  const groups = c.match(/.{1,4}/g) ?? [c];
  const v = rng.weighted<number>([[0, 0.5], [1, 0.38], [2, 0.05], [3, 0.07]]);
  switch (v) {
    case 0: return c;
    case 1: return groups.join(' ');
    case 2: return groups.join('-');
    default: return spacedEnds(rng, groups.join('  '));
  }
}

function renderAddress(rng: Rng, c: string): string {
  const parts = c.split('|');
  const v = rng.weighted<number>([[0, 0.42], [1, 0.2], [2, 0.13], [3, 0.05], [4, 0.08], [5, 0.06], [6, 0.06]]);
  switch (v) {
    case 0: return parts.join(', ');
    case 1: return parts.join(' ');
    case 2: return parts.join(', ').toLowerCase();
    case 3: return parts.join(' ').toUpperCase();
    case 4: return `${parts.join(',  ')} `;
    case 5: return parts.map((p) => p.replace(/^Room (\d)/, 'Room #$1')).join(', ');
    default: return `${parts.join(',')}.`;
  }
}

function renderEmployer(rng: Rng, c: string): string {
  const v = rng.weighted<number>([[0, 0.56], [1, 0.1], [2, 0.1], [3, 0.12], [4, 0.07], [5, 0.05]]);
  switch (v) {
    case 0: return c;
    case 1: return c.toUpperCase();
    case 2: return c.toLowerCase();
    case 3: return c.replace('Co., Ltd.', 'Co.,Ltd.').replace(/ Ltd\.$/, ' Ltd');
    case 4: return c.replace('Co., Ltd.', 'Co Ltd').replace(/\.$/, '');
    default: return spacedEnds(rng, c.replace(' ', '  '));
  }
}

function renderIds(rng: Rng, ids: Ids): RawIdentifiers {
  const out: RawIdentifiers = {};
  if (ids.nationalId !== undefined) out.nationalId = renderNationalId(rng, ids.nationalId);
  if (ids.phone !== undefined) out.phone = renderPhone(rng, ids.phone);
  if (ids.deviceId !== undefined) out.deviceId = renderDevice(rng, ids.deviceId);
  if (ids.ip !== undefined) out.ip = renderIp(rng, ids.ip);
  if (ids.email !== undefined) out.email = renderEmail(rng, ids.email);
  if (ids.address !== undefined) out.address = renderAddress(rng, ids.address);
  if (ids.bankAccount !== undefined) out.bankAccount = renderBank(rng, ids.bankAccount);
  if (ids.employer !== undefined) out.employer = renderEmployer(rng, ids.employer);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Identifier factories (unique unless shared on purpose)
// ---------------------------------------------------------------------------------------------

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '166', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '198', '199'];
const BANK_PREFIXES = ['622202', '621700', '622848', '621483', '622700', '623058', '621226', '622588', '621799', '622262'];
const RESIDENTIAL_IP: Record<Region, readonly string[]> = {
  east: ['114.85', '180.160', '58.37', '101.88', '115.196', '222.67'],
  north: ['123.118', '111.194', '61.48', '124.64', '221.218', '106.38'],
  south: ['113.108', '183.14', '14.153', '119.123', '58.60', '116.24'],
  west: ['171.213', '125.70', '182.150', '118.112', '222.209', '110.184'],
};
const CGNAT_IP = ['223.104', '117.136', '112.96', '39.144', '223.73', '120.229'];
const PROXY_IP = ['45.76', '103.151', '47.242', '8.210', '154.83', '38.207', '185.220'];

class Factory {
  private readonly used = new Map<string, Set<string>>();
  private readonly cgnat = new Map<Region, string[]>();

  constructor(
    private readonly rng: Rng,
    cgnatPerRegion: number,
  ) {
    for (const region of ['east', 'north', 'south', 'west'] as const) {
      const pool: string[] = [];
      for (let i = 0; i < cgnatPerRegion; i++) pool.push(this.unique('ip', () => `${rng.pick(CGNAT_IP)}.${rng.int(0, 255)}.${rng.int(1, 254)}`));
      this.cgnat.set(region, pool);
    }
  }

  unique(kind: string, make: () => string): string {
    let used = this.used.get(kind);
    if (!used) {
      used = new Set<string>();
      this.used.set(kind, used);
    }
    for (let tries = 0; ; tries++) {
      if (tries > 5000) throw new Error(`tester population: ran out of distinct ${kind} values`);
      const v = make();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
  }

  nationalId(prefix: string, age: number, male: boolean): string {
    const rng = this.rng;
    return this.unique('nid', () => {
      const birth = new Date(Date.UTC(2025 - age - 1, 3, 20) + rng.int(1, 364) * DAY);
      const ymd = `${birth.getUTCFullYear()}${String(birth.getUTCMonth() + 1).padStart(2, '0')}${String(birth.getUTCDate()).padStart(2, '0')}`;
      const seq = rng.int(0, 99) * 10 + (male ? rng.pick([1, 3, 5, 7, 9]) : rng.pick([0, 2, 4, 6, 8]));
      const body = `${prefix}${ymd}${String(seq).padStart(3, '0')}`;
      return body + checkDigit(body);
    });
  }

  mobile(prefix?: string): string {
    return `m:${this.unique('mobile', () => (prefix ?? this.rng.pick(MOBILE_PREFIXES)) + this.rng.digits(8))}`;
  }

  landline(city: City): string {
    return `l:${city.area}:${this.unique('land', () => String(this.rng.int(2, 8)) + this.rng.digits(7))}`;
  }

  /** A phone (UUID, iOS) or Android id. */
  phoneDevice(): string {
    return this.unique('dev', () => (this.rng.chance(0.3) ? uuid(this.rng) : this.rng.hex(16)));
  }

  /** A browser fingerprint (web channel on a personal computer). */
  browserDevice(): string {
    return this.unique('dev', () => this.rng.hex(32));
  }

  tablet(): string {
    return this.unique('dev', () => (this.rng.chance(0.55) ? uuid(this.rng) : this.rng.hex(16)));
  }

  homeIp(region: Region): string {
    return this.unique('ip', () => `${this.rng.pick(RESIDENTIAL_IP[region])}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`);
  }

  proxyIp(): string {
    return this.unique('ip', () => `${this.rng.pick(PROXY_IP)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`);
  }

  cgnatIp(region: Region): string {
    return this.rng.pick(this.cgnat.get(region) ?? []);
  }

  mobileV6(): string {
    const g = () => this.rng.hex(4).replace(/^0+(?=.)/, '');
    return this.unique('ip', () => `2409:${this.rng.pick(['8a00', '8900', '8a55', '8c20', '891e'])}:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`);
  }

  bank(prefix?: string): string {
    return this.unique('bank', () => {
      const p = prefix ?? this.rng.pick(BANK_PREFIXES);
      return p + this.rng.digits(this.rng.chance(0.7) ? 13 : 10);
    });
  }

  email(surname: string, given: string, birthYear: number, domain?: string): string {
    const rng = this.rng;
    return this.unique('email', () => {
      const d = domain ?? rng.weighted(EMAIL_DOMAINS);
      if (d === 'qq.com' && rng.chance(0.8)) return `${rng.int(1, 9)}${rng.digits(rng.int(7, 9))}@qq.com`;
      const style = rng.int(0, 5);
      const yy = String(birthYear).slice(2);
      switch (style) {
        case 0: return `${given}${surname}${rng.int(1, 999)}@${d}`;
        case 1: return `${surname}.${given}@${d}`;
        case 2: return `${surname}${given}${birthYear}@${d}`;
        case 3: return `${given}_${surname}${yy}@${d}`;
        case 4: return `${surname[0] ?? 'x'}${given}${rng.digits(3)}@${d}`;
        default: return `${surname}${given}${rng.int(10, 99)}@${d}`;
      }
    });
  }

  address(city: City): string {
    const rng = this.rng;
    return this.unique('addr', () => {
      const street = `${rng.int(1, 999)} ${rng.pick(STREETS)}`;
      const district = rng.pick(city.districts);
      const style = rng.next();
      if (style < 0.55) return ['Room ' + roomNo(rng), `Building ${rng.int(1, 32)}`, rng.pick(COMPOUNDS), street, district, city.name].join('|');
      if (style < 0.85) return ['Room ' + roomNo(rng), `Building ${rng.int(1, 40)}`, street, district, city.name].join('|');
      return [`Unit ${rng.int(1, 6)}`, `Lane ${rng.int(1, 800)}`, street, district, city.name].join('|');
    });
  }

  businessAddress(city: City): string {
    const rng = this.rng;
    return this.unique('addr', () => ['Room ' + roomNo(rng), `${rng.pick(SMALL_WORDS)} Business Center`, `${rng.int(1, 999)} ${rng.pick(STREETS)}`, rng.pick(city.districts), city.name].join('|'));
  }

  smallEmployer(city: City): string {
    const rng = this.rng;
    return this.unique('emp', () => {
      const word = rng.chance(0.5) ? rng.pick(SMALL_WORDS) : rng.pick(SMALL_WORDS) + rng.pick(SMALL_WORDS).toLowerCase();
      return `${city.name.replace("'", '')} ${word} ${rng.pick(SMALL_INDUSTRIES)} Co., Ltd.`;
    });
  }
}

function roomNo(rng: Rng): string {
  return `${rng.int(1, 33)}${String(rng.int(1, 8)).padStart(2, '0')}`;
}

function uuid(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.hex(3)}-${rng.hex(12)}`;
}

function checkDigit(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * (weights[i] ?? 0);
  return '10X98765432'[sum % 11] ?? '0';
}

/** Age encoded in a national id (at the population's reference date). */
function ageOfId(nid: string): number {
  const y = Number(nid.slice(6, 10));
  const m = Number(nid.slice(10, 12));
  const d = Number(nid.slice(12, 14));
  const ref = new Date(START + 45 * DAY);
  let age = ref.getUTCFullYear() - y;
  if (ref.getUTCMonth() + 1 < m || (ref.getUTCMonth() + 1 === m && ref.getUTCDate() < d)) age--;
  return age;
}

// ---------------------------------------------------------------------------------------------
// Credit profiles and loans
// ---------------------------------------------------------------------------------------------

type Product = 'personal_loan' | 'micro_loan';
type Table<T> = readonly (readonly [T, number])[];

const CHECKING: Record<'good' | 'weak', Table<string>> = {
  good: [['none', 0.62], ['0_to_200', 0.16], ['lt_0', 0.08], ['gt_200', 0.14]],
  weak: [['lt_0', 0.46], ['0_to_200', 0.36], ['none', 0.13], ['gt_200', 0.05]],
};
const HISTORY: Record<'good' | 'weak', Table<string>> = {
  good: [['paid_duly', 0.52], ['critical', 0.33], ['delay', 0.08], ['this_bank_all_paid', 0.04], ['no_credit_all_paid', 0.03]],
  weak: [['paid_duly', 0.54], ['critical', 0.15], ['delay', 0.1], ['this_bank_all_paid', 0.11], ['no_credit_all_paid', 0.1]],
};
const SAVINGS: Record<'good' | 'weak', Table<string>> = {
  good: [['lt_100', 0.46], ['unknown', 0.23], ['100_to_500', 0.11], ['500_to_1000', 0.09], ['gt_1000', 0.11]],
  weak: [['lt_100', 0.73], ['unknown', 0.1], ['100_to_500', 0.12], ['500_to_1000', 0.03], ['gt_1000', 0.02]],
};
const EMPLOYMENT: Record<'good' | 'weak', Table<string>> = {
  good: [['1_to_4', 0.33], ['gt_7', 0.29], ['4_to_7', 0.19], ['lt_1', 0.15], ['unemployed', 0.04]],
  weak: [['1_to_4', 0.35], ['gt_7', 0.19], ['4_to_7', 0.13], ['lt_1', 0.25], ['unemployed', 0.08]],
};
const INSTALMENT: Record<'good' | 'weak', Table<number>> = {
  good: [[4, 0.44], [3, 0.16], [2, 0.24], [1, 0.16]],
  weak: [[4, 0.56], [3, 0.16], [2, 0.19], [1, 0.09]],
};
const OTHER_PLANS: Record<'good' | 'weak', Table<string>> = {
  good: [['none', 0.84], ['bank', 0.11], ['stores', 0.05]],
  weak: [['none', 0.74], ['bank', 0.19], ['stores', 0.07]],
};
const PURPOSE: Record<Product, Table<string>> = {
  personal_loan: [['new_car', 0.12], ['used_car', 0.15], ['radio_television', 0.22], ['furniture_equipment', 0.18], ['business', 0.09], ['education', 0.05], ['repairs', 0.06], ['domestic_appliance', 0.03], ['retraining', 0.02], ['other', 0.08]],
  micro_loan: [['radio_television', 0.34], ['furniture_equipment', 0.17], ['domestic_appliance', 0.1], ['repairs', 0.1], ['education', 0.1], ['business', 0.06], ['retraining', 0.04], ['other', 0.09]],
};

interface Person {
  age: number;
  male: boolean;
  marital: 'single' | 'married' | 'divorced';
  weak: boolean;
  city: City;
  housing: string;
  property: string;
  residenceYears: number;
  dependents: number;
  hasTelephone: boolean;
  /** Fixed parts of the profile, kept across this person's applications. */
  checking: string;
  history: string;
  savings: string;
  employment: string;
  job: string;
  existingCredits: number;
  foreignWorker: boolean;
  ids: Ids;
}

interface ProfileHints {
  readonly age: number;
  readonly weak: boolean;
  readonly male: boolean;
  readonly marital: 'single' | 'married' | 'divorced';
  readonly housing?: string;
  readonly property?: string;
  readonly residenceYears?: number;
  readonly thinFile?: boolean;
  readonly student?: boolean;
}

function drawProfile(rng: Rng, h: ProfileHints): Omit<Person, 'city' | 'ids'> {
  const g = h.weak ? 'weak' : 'good';
  let employment = rng.weighted(EMPLOYMENT[g]);
  if (h.student) employment = rng.weighted([['unemployed', 0.35], ['lt_1', 0.45], ['1_to_4', 0.2]]);
  if (h.age < 22 && (employment === 'gt_7' || employment === '4_to_7')) employment = rng.chance(0.6) ? '1_to_4' : 'lt_1';
  if (h.age < 27 && employment === 'gt_7') employment = '4_to_7';
  if (h.age > 62 && rng.chance(0.5)) employment = 'unemployed';
  let job: string;
  if (employment === 'unemployed') job = rng.weighted([['unemployed_unskilled', 0.55], ['unskilled_resident', 0.45]]);
  else job = rng.weighted(h.weak
    ? [['skilled_employee', 0.6], ['unskilled_resident', 0.25], ['management_self_emp_highly_qualified', 0.12], ['unemployed_unskilled', 0.03]]
    : [['skilled_employee', 0.63], ['unskilled_resident', 0.19], ['management_self_emp_highly_qualified', 0.16], ['unemployed_unskilled', 0.02]]);
  if (h.student && job === 'management_self_emp_highly_qualified') job = 'unskilled_resident';
  let history = rng.weighted(HISTORY[g]);
  if (h.thinFile) history = rng.weighted([['no_credit_all_paid', 0.35], ['paid_duly', 0.45], ['this_bank_all_paid', 0.2]]);
  if (h.age < 23 && history === 'critical') history = 'paid_duly';
  const housing = h.housing ?? (h.age < 28 ? rng.weighted([['rent', 0.5], ['for_free', 0.3], ['own', 0.2]]) : rng.weighted([['own', 0.68], ['rent', 0.22], ['for_free', 0.1]]));
  const property = h.property ?? (housing === 'own'
    ? rng.weighted([['real_estate', 0.45], ['car_other', 0.3], ['insurance', 0.2], ['unknown', 0.05]])
    : rng.weighted([['car_other', 0.35], ['insurance', 0.28], ['real_estate', 0.1], ['unknown', 0.27]]));
  const existingCredits = h.thinFile ? 1 : rng.weighted(h.weak ? [[1, 0.58], [2, 0.36], [3, 0.05], [4, 0.01]] : [[1, 0.64], [2, 0.32], [3, 0.03], [4, 0.01]]);
  return {
    age: h.age,
    male: h.male,
    marital: h.marital,
    weak: h.weak,
    housing,
    property,
    residenceYears: h.residenceYears ?? (h.thinFile ? rng.int(1, 2) : rng.weighted([[4, 0.4], [2, 0.31], [3, 0.16], [1, 0.13]])),
    dependents: h.age > 28 && rng.chance(0.2) ? 2 : 1,
    hasTelephone: false,
    checking: rng.weighted(CHECKING[g]),
    history,
    savings: h.thinFile ? rng.weighted([['lt_100', 0.6], ['unknown', 0.3], ['100_to_500', 0.1]]) : rng.weighted(SAVINGS[g]),
    employment,
    job,
    existingCredits,
    foreignWorker: rng.chance(0.04),
  };
}

function personalStatus(p: Person): string {
  if (!p.male) return 'female_not_single';
  if (p.marital === 'married') return 'male_married_widowed';
  if (p.marital === 'divorced') return 'male_divorced_seperated';
  return 'male_single';
}

interface Loan {
  product: Product;
  amount: number;
  termMonths: number;
}

const PERSONAL_TERMS: Table<number> = [[6, 0.07], [9, 0.04], [12, 0.24], [18, 0.15], [24, 0.22], [30, 0.05], [36, 0.13], [48, 0.06], [60, 0.03], [72, 0.01]];
const MICRO_TERMS: Table<number> = [[3, 0.2], [6, 0.3], [9, 0.1], [12, 0.25], [18, 0.08], [24, 0.07]];

function drawLoan(rng: Rng, product: Product, age: number, boost = 0): Loan {
  let amount: number;
  let terms: Table<number>;
  if (product === 'personal_loan') {
    amount = Math.exp(Math.log(3400) + boost + 0.72 * rng.normal());
    amount = Math.min(20000, Math.max(500, amount));
    amount = amount > 5000 ? Math.round(amount / 500) * 500 : Math.round(amount / 100) * 100;
    if (rng.chance(0.003)) amount = rng.int(41, 60) * 500; // above the product maximum: declined on eligibility
    terms = amount > 10000 ? PERSONAL_TERMS.filter(([t]) => t >= 18) : amount < 1500 ? PERSONAL_TERMS.filter(([t]) => t <= 24) : PERSONAL_TERMS;
  } else {
    amount = Math.exp(Math.log(900) + boost + 0.7 * rng.normal());
    amount = Math.min(3000, Math.max(100, amount));
    amount = Math.round(amount / 50) * 50;
    if (rng.chance(0.003)) amount = rng.int(7, 10) * 500;
    terms = amount > 2000 ? MICRO_TERMS.filter(([t]) => t >= 6) : MICRO_TERMS;
  }
  let termMonths = rng.weighted(terms);
  const maxAgeAtMaturity = product === 'personal_loan' ? 75 : 70;
  const allowed = terms.map(([t]) => t).filter((t) => age + t / 12 <= maxAgeAtMaturity);
  if (age + termMonths / 12 > maxAgeAtMaturity && allowed.length > 0 && rng.chance(0.99)) termMonths = Math.max(...allowed);
  return { product, amount, termMonths };
}

function buildApplicant(rng: Rng, p: Person, loan: Loan): Applicant {
  return {
    age: p.age,
    checkingAccountStatus: p.checking,
    creditHistory: p.history,
    purpose: rng.weighted(PURPOSE[loan.product]),
    savingsAccountBonds: p.savings,
    employmentDuration: p.employment,
    personalStatusSex: personalStatus(p),
    otherDebtorsGuarantors: rng.weighted([['none', 0.91], ['guarantor', 0.05], ['co_applicant', 0.04]]),
    property: p.property,
    otherInstallmentPlans: rng.weighted(OTHER_PLANS[p.weak ? 'weak' : 'good']),
    housing: p.housing,
    job: p.job,
    installmentRatePct: rng.weighted(INSTALMENT[p.weak ? 'weak' : 'good']),
    residenceYears: p.residenceYears,
    existingCredits: p.existingCredits,
    dependents: p.dependents,
    hasTelephone: p.hasTelephone,
    foreignWorker: p.foreignWorker,
  };
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

const DAY_HOURS: Table<number> = [[0, 1], [1, 0.5], [2, 0.3], [3, 0.2], [4, 0.2], [5, 0.3], [6, 0.8], [7, 1.5], [8, 2.5], [9, 3.5], [10, 4], [11, 4], [12, 3.5], [13, 3.5], [14, 4], [15, 4], [16, 3.8], [17, 3.5], [18, 3.5], [19, 4], [20, 4.5], [21, 4.5], [22, 3.5], [23, 2]];
const BRANCH_HOURS: Table<number> = [[9, 3], [10, 4], [11, 4], [12, 2], [13, 3], [14, 4], [15, 4], [16, 3]];
const NIGHT_HOURS: Table<number> = [[0, 3], [1, 3], [2, 3], [3, 2.5], [4, 2], [5, 1.5], [6, 1], [7, 1], [8, 1.5], [9, 2], [10, 2], [11, 2], [12, 2], [13, 2], [14, 2], [15, 2], [16, 2], [17, 2], [18, 2], [19, 2.5], [20, 3], [21, 3], [22, 3], [23, 3]];

function clampDay(d: number): number {
  return Math.min(SPAN_DAYS - 1, Math.max(0, Math.floor(d)));
}

/** A legitimate arrival day: weekends a little quieter. */
function legitDay(rng: Rng): number {
  for (;;) {
    const d = rng.int(0, SPAN_DAYS - 1);
    const weekday = (d + 0) % 7; // day 0 is a Monday
    if (weekday < 5 || rng.chance(0.72)) return d;
  }
}

function at(rng: Rng, day: number, hours: Table<number>): number {
  return START + clampDay(day) * DAY + rng.weighted(hours) * HOUR + rng.int(0, 3599) * 1000 + rng.int(0, 999);
}

// ---------------------------------------------------------------------------------------------
// Drafts
// ---------------------------------------------------------------------------------------------

interface Draft {
  t: number;
  loan: Loan;
  region: Region;
  applicant: Applicant;
  ids: Ids;
  ring: string | null;
  kind: string;
  /** For chains: whose personal items these are. */
  person?: Person;
}

interface Household {
  city: City;
  address: string;
  landline?: string;
  tablet?: string;
  homeIp: string;
  members: Person[];
  drafts: Draft[];
  kind: string;
  minT: number;
  maxT: number;
}

interface Ctx {
  rng: Rng;
  f: Factory;
  drafts: Draft[];
  households: Household[];
  legitPeople: Person[];
}

type Channel = 'app' | 'web' | 'branch';

function newPerson(ctx: Ctx, city: City, h: ProfileHints, opts: { migrantShare?: number; surname?: string } = {}): Person {
  const { rng, f } = ctx;
  const base = drawProfile(rng, h);
  const prefix = rng.chance(opts.migrantShare ?? 0.3) ? rng.pick(MIGRANT_PREFIXES) : rng.pick(city.idPrefixes);
  const nid = f.nationalId(prefix, h.age, h.male);
  const surname = opts.surname ?? rng.pick(SURNAMES);
  const ids: Ids = { nationalId: nid, phone: f.mobile() };
  if (rng.chance(0.95) || h.age < 50) ids.email = f.email(surname, rng.pick(GIVEN), Number(nid.slice(6, 10)));
  if (rng.chance(0.97)) ids.bankAccount = f.bank();
  return { ...base, city, ids };
}

function employerFor(ctx: Ctx, p: Person, cityPool: Map<City, string[]>): string | undefined {
  const { rng, f } = ctx;
  if (p.employment === 'unemployed') return undefined;
  if (p.job === 'management_self_emp_highly_qualified' && rng.chance(0.45)) return undefined; // self-employed
  if (rng.chance(0.06)) return undefined; // left blank
  const r = rng.next();
  if (r < 0.22) return rng.pick(NATIONAL_EMPLOYERS);
  if (r < 0.45) return rng.pick(CITY_EMPLOYER_TEMPLATES).replace('{c}', p.city.name);
  let pool = cityPool.get(p.city);
  if (!pool) {
    pool = [];
    cityPool.set(p.city, pool);
  }
  // Small employers: most appear once, some have a handful of applicants.
  if (pool.length > 0 && rng.chance(0.3)) return rng.pick(pool);
  const e = f.smallEmployer(p.city);
  pool.push(e);
  return e;
}

/** The identifiers of one legitimate application from a person at home (or at a branch). */
function legitIds(ctx: Ctx, p: Person, hh: Household | null, channel: Channel, personalDevice: string, computer: string | undefined): Ids {
  const { rng, f } = ctx;
  const ids: Ids = { ...p.ids };
  if (hh?.landline && rng.chance(p.age > 45 ? 0.55 : 0.25)) ids.phone = hh.landline;
  ids.address = hh?.address ?? p.ids.address;
  if (channel === 'app') {
    ids.deviceId = personalDevice;
    const onWifi = hh !== null && rng.chance(0.45);
    ids.ip = onWifi ? hh.homeIp : rng.chance(0.22) ? f.mobileV6() : f.cgnatIp(p.city.region);
  } else if (channel === 'web') {
    ids.deviceId = hh?.tablet && rng.chance(0.75) ? hh.tablet : computer ?? personalDevice;
    ids.ip = hh ? (rng.chance(0.85) ? hh.homeIp : f.homeIp(p.city.region)) : f.homeIp(p.city.region);
  } else {
    delete ids.deviceId;
    delete ids.ip;
    if (rng.chance(0.3)) delete ids.email;
  }
  return ids;
}

function pushDraft(ctx: Ctx, d: Draft, hh: Household | null): void {
  ctx.drafts.push(d);
  if (hh) {
    hh.drafts.push(d);
    hh.minT = Math.min(hh.minT, d.t);
    hh.maxT = Math.max(hh.maxT, d.t);
  }
}

function productFor(rng: Rng, age: number, micro = 0.4): Product {
  // Personal loans need 21+; micro loans must mature by 70.
  const share = age < 21 ? 0.92 : age < 25 ? Math.max(micro, 0.65) : age > 60 ? Math.min(micro, 0.2) : micro;
  return rng.chance(share) ? 'micro_loan' : 'personal_loan';
}

// ---------------------------------------------------------------------------------------------
// Legitimate structures
// ---------------------------------------------------------------------------------------------

function makeHousehold(ctx: Ctx, size: number, remaining: { n: number }, employers: Map<City, string[]>): void {
  const { rng, f } = ctx;
  const city = rng.weighted(CITY_TABLE);
  const region = city.region;
  const older = rng.next();
  const headAge = size === 1
    ? Math.round(Math.min(74, Math.max(20, 24 + Math.abs(rng.normal()) * 15)))
    : Math.round(Math.min(70, Math.max(24, 42 + rng.normal() * 11)));
  const housing = headAge < 30 ? rng.weighted([['rent', 0.55], ['own', 0.3], ['for_free', 0.15]]) : rng.weighted([['own', 0.72], ['rent', 0.2], ['for_free', 0.08]]);
  const residenceYears = rng.weighted([[4, 0.42], [2, 0.3], [3, 0.16], [1, 0.12]]);
  const hasLandline = rng.chance(size === 1 ? (headAge > 50 ? 0.35 : 0.08) : 0.45);
  const hh: Household = {
    city,
    address: f.address(city),
    homeIp: f.homeIp(region),
    members: [],
    drafts: [],
    kind: size === 1 ? 'single' : 'household',
    minT: Infinity,
    maxT: -Infinity,
  };
  if (hasLandline) hh.landline = f.landline(city);
  if (rng.chance(size === 1 ? 0.25 : 0.6)) hh.tablet = f.tablet();

  const surname = rng.pick(SURNAMES);
  const headWeak = rng.chance(WEAK_SHARE);
  const roles: { age: number; male: boolean; marital: 'single' | 'married' | 'divorced'; weak: boolean }[] = [];
  const headMale = rng.chance(0.55);
  if (size === 1) {
    roles.push({ age: headAge, male: headMale, marital: headAge < 28 ? 'single' : rng.weighted([['married', 0.55], ['single', 0.3], ['divorced', 0.15]]), weak: headWeak });
  } else {
    roles.push({ age: headAge, male: headMale, marital: 'married', weak: headWeak });
    const spouseAge = Math.min(74, Math.max(21, headAge + Math.round(rng.normal() * 3) - (headMale ? 2 : -2)));
    roles.push({ age: spouseAge, male: !headMale, marital: 'married', weak: rng.chance(headWeak ? 0.45 : WEAK_SHARE * 0.85) });
    for (let i = 2; i < size; i++) {
      if (headAge >= 42 && older < 0.8) {
        const childAge = Math.max(18, Math.min(headAge - 20, 18 + Math.floor(rng.next() * (headAge - 38))));
        roles.push({ age: childAge, male: rng.chance(0.5), marital: childAge > 27 && rng.chance(0.3) ? 'married' : 'single', weak: rng.chance(WEAK_SHARE * 1.2) });
      } else {
        const parentAge = Math.min(78, headAge + 24 + rng.int(0, 8));
        roles.push({ age: parentAge, male: rng.chance(0.45), marital: rng.chance(0.7) ? 'married' : 'divorced', weak: rng.chance(WEAK_SHARE) });
      }
    }
  }
  const jointAccount = size >= 2 && rng.chance(0.1) ? f.bank() : undefined;
  const familyEmail = size >= 2 && rng.chance(0.05) ? f.email(surname, 'family', 2000 + rng.int(0, 20), rng.pick(['163.com', 'qq.com', '126.com'])) : undefined;
  const together = size >= 2 && rng.chance(0.3);
  const baseDay = legitDay(rng);
  const sameEmployer = size >= 2 && rng.chance(0.06);

  roles.forEach((r, i) => {
    if (remaining.n <= 0) return;
    const p = newPerson(ctx, city, {
      age: r.age, weak: r.weak, male: r.male, marital: r.marital,
      housing: r.age >= 60 && i >= 2 ? 'own' : housing,
      residenceYears,
    }, { surname: i < 2 || (headMale ? i >= 2 : false) ? surname : undefined });
    p.hasTelephone = hasLandline || rng.chance(0.2);
    p.ids.address = hh.address;
    if (i < 2 && jointAccount && rng.chance(0.8)) p.ids.bankAccount = jointAccount;
    if (familyEmail && rng.chance(0.6)) p.ids.email = familyEmail;
    const employer = sameEmployer && i === 1 ? hh.members[0]?.ids.employer : employerFor(ctx, p, employers);
    if (employer !== undefined) p.ids.employer = employer;
    hh.members.push(p);
    ctx.legitPeople.push(p);
    const personalDevice = f.phoneDevice();
    const computer = rng.chance(0.4) ? f.browserDevice() : undefined;
    const apps = rng.chance(REPEAT_SHARE) && remaining.n >= 2 ? 2 : 1;
    let day = together ? baseDay + (rng.chance(0.7) ? 0 : rng.int(0, 3)) : baseDay + Math.round(rng.normal() * 18);
    day = clampDay(day);
    let product = productFor(rng, p.age);
    for (let k = 0; k < apps; k++) {
      const channel: Channel = rng.weighted([['app', 0.55], ['web', 0.3], ['branch', p.age > 55 ? 0.35 : 0.12]]);
      const t = at(rng, day, channel === 'branch' ? BRANCH_HOURS : DAY_HOURS);
      const loan = drawLoan(rng, product, p.age);
      const ids = legitIds(ctx, p, hh, channel, personalDevice, computer);
      pushDraft(ctx, { t, loan, region, applicant: buildApplicant(rng, p, loan), ids, ring: null, kind: hh.kind, person: p }, hh);
      remaining.n--;
      // A second application: after a decline, or for the other product, days to weeks later.
      day = clampDay(day + rng.int(1, 35));
      if (rng.chance(0.5)) product = product === 'micro_loan' ? 'personal_loan' : 'micro_loan';
    }
  });
  ctx.households.push(hh);
}

interface Campus {
  readonly ip: string;
  readonly name: string;
  readonly city: City;
  readonly street: string;
  readonly district: string;
}

function makeDorm(ctx: Ctx, size: number, campus: Campus | null, employers: Map<City, string[]>): Campus {
  const { rng, f } = ctx;
  const student = campus !== null || rng.chance(0.6);
  const city = campus?.city ?? rng.weighted(CITY_TABLE);
  const region = city.region;
  let address: string;
  let sharedEmployer: string | undefined;
  let ip: string;
  let name: string;
  const street = campus?.street ?? `${rng.int(1, 999)} ${student ? 'Xueyuan Road' : rng.pick(STREETS)}`;
  const district = campus?.district ?? rng.pick(city.districts);
  if (student) {
    name = campus?.name ?? rng.pick([`${city.name.replace("'", '')} University of Technology`, `${city.name.replace("'", '')} Normal University`, `${city.name.replace("'", '')} Vocational College`, `${city.name.replace("'", '')} Institute of Commerce`]);
    ip = campus?.ip ?? f.homeIp(region);
    address = f.unique('addr', () => [`Dormitory Building ${rng.int(1, 24)}`, name, street, district, city.name].join('|'));
  } else {
    name = `${city.name.replace("'", '')} ${rng.pick(SMALL_WORDS)} Precision Electronics Co., Ltd.`;
    sharedEmployer = name;
    ip = f.homeIp(region);
    address = f.unique('addr', () => [`Staff Dormitory Block ${String.fromCharCode(65 + rng.int(0, 7))}`, `${rng.pick(SMALL_WORDS)} Industrial Park`, street, district, city.name].join('|'));
  }
  const hh: Household = { city, address, homeIp: ip, members: [], drafts: [], kind: 'dorm', minT: Infinity, maxT: -Infinity };
  const burstDay = legitDay(rng);
  for (let i = 0; i < size; i++) {
    const age = student ? rng.int(18, 24) : rng.int(19, 38);
    const p = newPerson(ctx, city, { age, weak: rng.chance(WEAK_SHARE * 1.25), male: rng.chance(student ? 0.5 : 0.6), marital: age > 26 && rng.chance(0.4) ? 'married' : 'single', housing: student ? rng.weighted([['for_free', 0.5], ['rent', 0.5]]) : 'for_free', residenceYears: rng.int(1, student ? 3 : 4), student }, { migrantShare: 0.7 });
    p.ids.address = address;
    p.hasTelephone = false;
    const employer = sharedEmployer !== undefined ? (rng.chance(0.92) ? sharedEmployer : undefined) : p.employment !== 'unemployed' && rng.chance(0.45) ? employerFor(ctx, p, employers) : undefined;
    if (employer !== undefined) p.ids.employer = employer;
    // Factory workers are paid into the same payroll bank.
    if (!student && p.ids.bankAccount !== undefined) p.ids.bankAccount = f.bank(BANK_PREFIXES[0]);
    hh.members.push(p);
    ctx.legitPeople.push(p);
    const device = f.phoneDevice();
    // Word of mouth: about half of a dorm apply within a few days of each other.
    const day = rng.chance(0.5) ? burstDay + rng.int(0, 4) : legitDay(rng);
    const channel: Channel = rng.weighted([['app', 0.85], ['web', 0.1], ['branch', 0.05]]);
    const ids = legitIds(ctx, p, hh, channel, device, undefined);
    if (channel === 'app' && rng.chance(0.55)) ids.ip = ip; // on the dorm / campus wifi
    const loan = drawLoan(rng, productFor(rng, age, 0.7), age);
    pushDraft(ctx, { t: at(rng, day, channel === 'branch' ? BRANCH_HOURS : DAY_HOURS), loan, region, applicant: buildApplicant(rng, p, loan), ids, ring: null, kind: 'dorm', person: p }, hh);
  }
  ctx.households.push(hh);
  return { ip, name, city, street, district };
}

/** Second-hand phones and recycled numbers: an item of one household reappears, later, in an unrelated one. */
function makeChains(ctx: Ctx): void {
  const { rng } = ctx;
  const homes = ctx.households.filter((h) => h.kind !== 'dorm' && h.drafts.length > 0);
  const target = Math.round(homes.length * CHAIN_SHARE);
  const inChain = new Set<Household>();
  let chained = 0;
  let guard = 0;
  while (chained < target && guard++ < target * 50) {
    const length = Math.min(target - chained >= 2 ? (rng.chance(0.78) ? 2 : 3) : 2, Math.max(2, target - chained));
    const first = rng.pick(homes);
    if (inChain.has(first) || first.maxT > START + 60 * DAY) continue;
    const chain: Household[] = [first];
    for (let k = 1; k < length; k++) {
      const prev = chain[chain.length - 1] as Household;
      let found: Household | undefined;
      for (let tries = 0; tries < 60 && !found; tries++) {
        const c = rng.pick(homes);
        if (!inChain.has(c) && !chain.includes(c) && c.minT > prev.maxT + 7 * DAY && c.city.region === prev.city.region) found = c;
      }
      if (!found) break;
      chain.push(found);
    }
    if (chain.length < 2) continue;
    for (let k = 1; k < chain.length; k++) {
      const from = chain[k - 1] as Household;
      const to = chain[k] as Household;
      // What changes hands: a phone (handset, with its device id) or a phone number.
      const sources: { type: 'deviceId' | 'phone'; value: string }[] = [];
      for (const d of from.drafts) {
        if (d.ids.deviceId !== undefined && d.ids.deviceId !== from.tablet) sources.push({ type: 'deviceId', value: d.ids.deviceId });
        if (d.ids.phone?.startsWith('m:')) sources.push({ type: 'phone', value: d.ids.phone });
        if (from.tablet !== undefined && d.ids.deviceId === from.tablet) sources.push({ type: 'deviceId', value: from.tablet });
      }
      const devices = sources.filter((s) => s.type === 'deviceId');
      const src = devices.length > 0 && rng.chance(0.6) ? rng.pick(devices) : sources.length > 0 ? rng.pick(sources) : undefined;
      if (!src) {
        chain.length = k;
        break;
      }
      const receivers = to.members.filter((m) => to.drafts.some((d) => d.person === m && (src.type === 'phone' ? d.ids.phone?.startsWith('m:') : d.ids.deviceId !== undefined && d.ids.deviceId !== to.tablet)));
      if (receivers.length === 0) {
        chain.length = k;
        break;
      }
      const receiver = rng.pick(receivers);
      for (const d of to.drafts) {
        if (d.person !== receiver) continue;
        if (src.type === 'phone' && d.ids.phone === receiver.ids.phone) d.ids.phone = src.value;
        if (src.type === 'deviceId' && d.ids.deviceId !== undefined && d.ids.deviceId !== to.tablet) d.ids.deviceId = src.value;
      }
      if (src.type === 'phone') receiver.ids.phone = src.value;
    }
    if (chain.length < 2) continue;
    for (const h of chain) {
      inChain.add(h);
      h.kind = 'second-hand-chain';
      for (const d of h.drafts) d.kind = 'second-hand-chain';
    }
    chained += chain.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Rings
// ---------------------------------------------------------------------------------------------

interface RingPlan {
  shape: Shape;
  n: number;
  fixed: boolean;
}

function planRings(rng: Rng, size: number): RingPlan[] {
  const target = Math.round(size * RING_SHARE);
  const perShape = Math.max(1, Math.round((2 * size) / DEFAULT_SIZE));
  let plans: RingPlan[] = [];
  for (const shape of RING_SHAPES) {
    for (let k = 0; k < perShape; k++) {
      const [lo, hi] = SHAPE_SIZE[shape];
      const fixed = shape === 'identity-reuse' && k === 0 && size >= 1500;
      plans.push({ shape, n: fixed ? 8 : rng.int(lo, hi), fixed });
    }
  }
  // Small populations cannot hold a ring of every shape at 4+ members: drop some rings.
  while (plans.length > 1 && plans.length * 4 > target * 1.2) plans.splice(rng.int(0, plans.length - 1), 1);
  const adjustable = () => plans.filter((p) => !p.fixed);
  let total = plans.reduce((s, p) => s + p.n, 0);
  let guard = 0;
  while (total > target && guard++ < 100000) {
    const c = adjustable().filter((p) => p.n > 4);
    if (c.length === 0) break;
    rng.pick(c).n--;
    total--;
  }
  while (total < target && guard++ < 200000) {
    const c = adjustable().filter((p) => p.n < 30);
    if (c.length === 0) break;
    rng.pick(c).n++;
    total++;
  }
  plans = rng.shuffle(plans);
  return plans;
}

interface RingCtx extends Ctx {
  ringNo: number;
  employers: Map<City, string[]>;
}

function ringPerson(ctx: Ctx, city: City, weakShare: number, opts: { age?: number; thinFile?: boolean; nid?: string } = {}): Person {
  const { rng } = ctx;
  const age = opts.nid ? ageOfId(opts.nid) : opts.age ?? Math.round(Math.min(58, Math.max(21, 31 + rng.normal() * 8)));
  const male = opts.nid ? Number(opts.nid[16]) % 2 === 1 : rng.chance(0.62);
  const p = newPerson(ctx, city, { age, weak: rng.chance(weakShare), male, marital: age < 27 ? 'single' : rng.weighted([['married', 0.5], ['single', 0.35], ['divorced', 0.15]]), thinFile: opts.thinFile }, { migrantShare: 0.4 });
  if (opts.nid) p.ids.nationalId = opts.nid;
  p.hasTelephone = rng.chance(0.3);
  return p;
}

/** A claimed employer for a ring member: real hubs, real-looking small firms, or nothing. */
function ringEmployer(ctx: RingCtx, p: Person): string | undefined {
  const { rng, f } = ctx;
  if (p.employment === 'unemployed') return undefined;
  const r = rng.next();
  if (r < 0.25) return rng.pick(NATIONAL_EMPLOYERS);
  if (r < 0.4) return rng.pick(CITY_EMPLOYER_TEMPLATES).replace('{c}', p.city.name);
  if (r < 0.85) return f.smallEmployer(p.city);
  return undefined;
}

/** Real households' addresses, preferring the ring's own region. */
function realAddress(ctx: Ctx, region: Region): { address: string; city: City; homeIp: string } {
  const { rng } = ctx;
  for (let tries = 0; tries < 40; tries++) {
    const h = rng.pick(ctx.households);
    if (h.kind !== 'dorm' && (h.city.region === region || tries > 30)) return { address: h.address, city: h.city, homeIp: h.homeIp };
  }
  const h = rng.pick(ctx.households);
  return { address: h.address, city: h.city, homeIp: h.homeIp };
}

/** Spread n arrival times over a ring's window: bursts of a few applications minutes apart. */
function ringTimes(rng: Rng, n: number, startDay: number, windowDays: number, burst: [number, number], gapMin: [number, number], night: boolean): number[] {
  const times: number[] = [];
  while (times.length < n) {
    const k = Math.min(n - times.length, rng.int(burst[0], burst[1]));
    let t = at(rng, startDay + rng.next() * windowDays, night ? NIGHT_HOURS : DAY_HOURS);
    for (let i = 0; i < k; i++) {
      times.push(Math.min(t, START + SPAN_DAYS * DAY - 1));
      t += rng.int(gapMin[0], gapMin[1]) * 60_000 + rng.int(0, 59_999);
    }
  }
  return times.sort((a, b) => a - b);
}

function makeRing(ctx: RingCtx, plan: RingPlan): void {
  const { rng, f } = ctx;
  const ringId = `ring-${String(++ctx.ringNo).padStart(3, '0')}`;
  const shape = plan.shape;
  const n = plan.n;
  const city = rng.weighted(CITY_TABLE);
  const region = city.region;
  const weakShare = 0.1 + rng.next() * 0.18;
  // The share of members who give a real household's address varies by ring.
  const camo = shape === 'household-camouflage' ? 1 : 0.08 + rng.next() * 0.28;
  const microShare = shape === 'device-farm' || shape === 'sim-farm' ? 0.7 : shape === 'identity-reuse' || shape === 'synthetic-identities' || shape === 'employer-cover' ? 0.2 : 0.45;
  const boost = rng.next() * 0.3;

  let windowDays: number;
  let burst: [number, number];
  let gap: [number, number];
  let night = rng.chance(0.5);
  switch (shape) {
    case 'device-farm': windowDays = 0.5 + rng.next() * 3.5; burst = [2, 6]; gap = [3, 25]; break;
    case 'sim-farm': windowDays = 2 + rng.next() * 6; burst = [1, 4]; gap = [5, 40]; break;
    case 'mule-accounts': windowDays = 14 + rng.next() * 26; burst = [1, 2]; gap = [20, 180]; night = false; break;
    case 'identity-reuse': windowDays = 10 + rng.next() * 20; burst = [1, 1]; gap = [0, 0]; night = false; break;
    case 'synthetic-identities': windowDays = 30 + rng.next() * 50; burst = [1, 2]; gap = [30, 300]; night = false; break;
    case 'device-chain': windowDays = 4 + rng.next() * 12; burst = [1, 3]; gap = [10, 90]; break;
    case 'household-camouflage': windowDays = 6 + rng.next() * 15; burst = [1, 3]; gap = [10, 120]; break;
    case 'employer-cover': windowDays = 5 + rng.next() * 15; burst = [1, 3]; gap = [15, 120]; night = false; break;
  }
  windowDays = Math.min(windowDays, SPAN_DAYS - 1);
  const startDay = rng.next() * (SPAN_DAYS - windowDays);
  const times = ringTimes(rng, n, startDay, windowDays, burst, gap, night);

  // Shared resources of this ring.
  const devices: string[] = [];
  const deviceCount = shape === 'device-farm' ? Math.max(1, Math.min(3, Math.ceil(n / 8))) : shape === 'household-camouflage' ? rng.int(2, 3) : shape === 'synthetic-identities' ? rng.int(2, 4) : shape === 'identity-reuse' ? rng.int(2, 3) : 0;
  for (let i = 0; i < deviceCount; i++) devices.push(f.phoneDevice());
  const ips: string[] = [];
  const ipCount = shape === 'device-farm' ? rng.int(1, 3) : shape === 'synthetic-identities' ? rng.int(1, 2) : shape === 'household-camouflage' ? rng.int(1, 2) : rng.int(1, 3);
  for (let i = 0; i < ipCount; i++) ips.push(rng.chance(0.5) ? f.proxyIp() : f.homeIp(region));
  const phones: string[] = [];
  const phoneCount = shape === 'sim-farm' ? rng.int(2, Math.min(4, Math.max(2, Math.ceil(n / 4)))) : shape === 'employer-cover' ? rng.int(2, 3) : 0;
  for (let i = 0; i < phoneCount; i++) phones.push(shape === 'employer-cover' && i === 0 ? f.landline(city) : f.mobile(rng.pick(['170', '171', '165', '167'])));
  const accounts: string[] = [];
  const accountCount = shape === 'mule-accounts' ? rng.int(1, Math.min(3, Math.max(1, Math.floor(n / 4)))) : shape === 'identity-reuse' ? 2 : shape === 'device-farm' ? rng.int(1, 2) : 0;
  for (let i = 0; i < accountCount; i++) accounts.push(f.bank());
  // A recruited money mule is often a real customer who also applied in their own name.
  if (shape === 'mule-accounts' && rng.chance(0.5)) {
    for (let tries = 0; tries < 20; tries++) {
      const mule = rng.pick(ctx.legitPeople).ids.bankAccount;
      if (mule !== undefined) {
        accounts[0] = mule;
        break;
      }
    }
  }
  const nids: string[] = [];
  if (shape === 'identity-reuse') {
    const k = plan.fixed ? 2 : n >= 9 && rng.chance(0.5) ? 3 : 2;
    for (let i = 0; i < k; i++) nids.push(f.nationalId(rng.chance(0.5) ? rng.pick(city.idPrefixes) : rng.pick(MIGRANT_PREFIXES), rng.int(28, 55), rng.chance(0.55)));
  }
  // Synthetic identities: ids minted from one template, a mail drop, made-up employers.
  const synthPrefix = rng.pick(MIGRANT_PREFIXES);
  const synthYear = rng.int(24, 34);
  const mailDrops = shape === 'synthetic-identities' ? [f.businessAddress(city), ...(rng.chance(0.5) ? [f.address(city)] : [])] : [];
  const synthEmployers = shape === 'synthetic-identities' ? [f.smallEmployer(city), f.smallEmployer(city)].slice(0, rng.int(1, 2)) : [];
  const synthDomain = rng.pick(['outlook.com', 'gmail.com', '163.com', 'sina.com']);
  const synthSim = rng.pick(['170', '171', '162', '167']) + rng.digits(3);
  const coverEmployer = shape === 'employer-cover' ? f.smallEmployer(city) : undefined;
  const victimAddr = nids.map(() => f.address(city));
  // Household camouflage: a handful of real homes, several members each.
  const homes = shape === 'household-camouflage' ? Array.from({ length: Math.max(2, Math.min(5, Math.ceil(n / 3))) }, () => realAddress(ctx, region)) : [];
  // Device chain: each handset is used for 2-3 consecutive applications, then passed on.
  const chainDevices: string[] = [];
  const chainPhones: string[] = [];
  if (shape === 'device-chain') {
    // Handsets pass along runs of 2-3 applications; the SIM carries over each handset change, so
    // consecutive members are linked alternately by a device and by a phone number.
    let run = 0;
    for (let k = 0; k < n; k++) {
      const newHandset = k === 0 || run >= rng.int(2, 3);
      if (newHandset) run = 0;
      run++;
      chainDevices.push(newHandset ? f.phoneDevice() : (chainDevices[k - 1] as string));
      const carrySim = k > 0 && (newHandset || rng.chance(0.15));
      chainPhones.push(carrySim ? (chainPhones[k - 1] as string) : f.mobile());
    }
  }

  for (let i = 0; i < n; i++) {
    const t = times[i] as number;
    let p: Person;
    if (shape === 'identity-reuse') {
      const which = i % nids.length;
      p = ringPerson(ctx, city, weakShare, { nid: nids[which] });
      p.ids.address = rng.chance(0.6) ? (victimAddr[which] as string) : f.address(city);
      p.ids.bankAccount = accounts[rng.chance(0.8) ? which % accounts.length : rng.int(0, accounts.length - 1)];
      if (rng.chance(0.3)) delete p.ids.email;
    } else if (shape === 'synthetic-identities') {
      const age = synthYear + rng.int(-2, 2);
      const male = rng.chance(0.6);
      const nid = f.nationalId(synthPrefix, age, male);
      p = ringPerson(ctx, city, weakShare * 0.6, { nid, thinFile: true });
      p.ids.phone = `m:${f.unique('mobile', () => synthSim + rng.digits(5))}`;
      p.ids.email = f.email(rng.pick(SURNAMES), rng.pick(GIVEN), Number(nid.slice(6, 10)), synthDomain);
      p.ids.address = rng.chance(0.75) ? rng.pick(mailDrops) : f.address(city);
      p.ids.employer = rng.chance(0.8) ? rng.pick(synthEmployers) : f.smallEmployer(city);
      p.ids.bankAccount = f.bank(rng.pick(['623058', '621799']));
    } else {
      p = ringPerson(ctx, city, weakShare);
      p.ids.address = f.address(city);
    }

    if (shape !== 'synthetic-identities') {
      const e = shape === 'employer-cover' ? coverEmployer : ringEmployer(ctx, p);
      if (e !== undefined) p.ids.employer = e;
      else delete p.ids.employer;
    }
    if (shape === 'employer-cover') {
      p.employment = rng.weighted([['1_to_4', 0.6], ['4_to_7', 0.3], ['lt_1', 0.1]]);
      p.job = 'skilled_employee';
    }

    const ids: Ids = { ...p.ids };
    // Channel: rings apply online; the device and IP depend on the shape.
    ids.deviceId = f.phoneDevice();
    ids.ip = rng.chance(0.5) ? f.cgnatIp(region) : rng.chance(0.5) ? f.mobileV6() : f.homeIp(region);
    switch (shape) {
      case 'device-farm':
        ids.deviceId = devices[rng.chance(0.7) ? 0 : rng.int(0, devices.length - 1)];
        if (rng.chance(0.7)) ids.ip = rng.pick(ips);
        if (rng.chance(0.45)) ids.bankAccount = rng.pick(accounts);
        // A stolen identity: a real customer's national id and home address.
        if (rng.chance(0.06)) {
          const victim = rng.pick(ctx.legitPeople);
          if (victim.ids.nationalId !== undefined && victim.ids.address !== undefined) {
            ids.nationalId = victim.ids.nationalId;
            ids.address = victim.ids.address;
            p.age = ageOfId(victim.ids.nationalId);
          }
        }
        break;
      case 'sim-farm':
        ids.phone = phones[i < phones.length ? i : rng.int(0, phones.length - 1)];
        if (i > 0 && rng.chance(0.35)) ids.deviceId = rng.pick(ctx.drafts.slice(-Math.min(i, 3)).map((d) => d.ids.deviceId).filter((x): x is string => x !== undefined).concat([ids.deviceId]));
        ids.ip = rng.chance(0.75) ? f.cgnatIp(region) : rng.pick(ips);
        break;
      case 'mule-accounts':
        ids.bankAccount = rng.chance(0.9) ? accounts[i % accounts.length] : ids.bankAccount;
        if (rng.chance(0.25)) ids.ip = rng.pick(ips);
        break;
      case 'identity-reuse':
        ids.deviceId = rng.chance(0.75) ? rng.pick(devices) : ids.deviceId;
        if (rng.chance(0.5)) ids.ip = rng.pick(ips);
        break;
      case 'synthetic-identities':
        ids.deviceId = rng.chance(0.6) ? rng.pick(devices) : ids.deviceId;
        if (rng.chance(0.5)) ids.ip = rng.pick(ips);
        break;
      case 'device-chain':
        ids.deviceId = chainDevices[i];
        ids.phone = chainPhones[i];
        if (rng.chance(0.3)) ids.ip = rng.pick(ips);
        break;
      case 'household-camouflage': {
        const home = homes[i % homes.length] as { address: string; city: City; homeIp: string };
        ids.address = home.address;
        ids.deviceId = rng.chance(0.85) ? rng.pick(devices) : ids.deviceId;
        ids.ip = rng.chance(0.6) ? rng.pick(ips) : f.cgnatIp(home.city.region);
        break;
      }
      case 'employer-cover':
        ids.phone = rng.chance(0.92) ? rng.pick(phones) : ids.phone;
        if (rng.chance(0.3)) ids.ip = rng.pick(ips);
        break;
    }
    // Camouflage: the address of a real household.
    let memberRegion = region;
    if (shape !== 'household-camouflage' && rng.chance(camo) && !(shape === 'synthetic-identities' && rng.chance(0.5))) {
      const home = realAddress(ctx, region);
      ids.address = home.address;
      memberRegion = home.city.region;
    } else if (shape === 'household-camouflage') {
      memberRegion = (homes[i % homes.length] as { city: City }).city.region;
    }
    if (rng.chance(0.05)) delete ids.email;
    const loan = drawLoan(rng, rng.chance(microShare) ? 'micro_loan' : 'personal_loan', p.age, boost);
    ctx.drafts.push({ t, loan, region: memberRegion, applicant: buildApplicant(rng, p, loan), ids, ring: ringId, kind: shape });
  }
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

function dateStamp(t: number): string {
  const d = new Date(t + 8 * HOUR);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function generate(options: { readonly seed: number; readonly size?: number }): Population {
  const size = Math.max(1, Math.round(options.size ?? DEFAULT_SIZE));
  const rng = new Rng(options.seed ^ 0x7e57e4);
  const f = new Factory(rng, Math.max(8, Math.round(size / 80)));
  const ctx: RingCtx = { rng, f, drafts: [], households: [], legitPeople: [], ringNo: 0, employers: new Map() };

  const plans = planRings(rng, size);
  const ringTotal = plans.reduce((s, p) => s + p.n, 0);
  const remaining = { n: Math.max(0, size - ringTotal) };

  // Dormitories (two of them sometimes on the same campus, behind the same campus IP).
  const dorms = Math.max(1, Math.round((DORMS_AT_DEFAULT * size) / DEFAULT_SIZE));
  let campus: Campus | null = null;
  for (let i = 0; i < dorms && remaining.n >= 6; i++) {
    const n = Math.min(remaining.n, rng.int(6, 12));
    const c = makeDorm(ctx, n, campus !== null && rng.chance(0.35) ? campus : null, ctx.employers);
    campus = c.name.includes('Precision') ? campus : c;
    remaining.n -= n;
  }
  // Households of 1-4 applicants.
  while (remaining.n > 0) {
    const s = Math.min(remaining.n, rng.weighted([[1, 0.44], [2, 0.33], [3, 0.15], [4, 0.08]]));
    makeHousehold(ctx, s, remaining, ctx.employers);
  }
  makeChains(ctx);
  for (const plan of plans) makeRing(ctx, plan);

  const order = ctx.drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.t - b.d.t || a.i - b.i);
  const members: PopulationMember[] = order.map(({ d }, k) => {
    const application: Application = {
      applicationId: `TST-${dateStamp(d.t)}-${String(k + 1).padStart(6, '0')}`,
      product: d.loan.product,
      region: d.region,
      amount: d.loan.amount,
      termMonths: d.loan.termMonths,
      applicant: d.applicant,
      identifiers: renderIds(rng, d.ids),
    };
    return { application, submittedAt: d.t, ring: d.ring, kind: d.kind };
  });
  return { generator: NAME, seed: options.seed, members };
}

export const generator: PopulationGenerator = {
  name: NAME,
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT,
  generate,
};
