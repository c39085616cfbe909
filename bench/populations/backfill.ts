// Synthetic population "backfill": a whole year (2025, China time) of a bank's loan applications
// bulk-loaded at once, with month-end and holiday spikes, benign identifier sharing (households,
// branch kiosks, office networks, refinancers, student dorms) and three fraud-ring shapes
// (burst farms, slow rings, mule collectors). Written independently of the detector.
//
// Deterministic: a seeded sfc32 PRNG; no Math.random, no clock.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------------------------------------
// Parameters of this generator
// ---------------------------------------------------------------------------------------------

/** Share of ordinary applicants drawn from the weak (poor credit risk) profile mix. */
const WEAK_SHARE = 0.24;
/** Ring members as a share of all applications: drawn per seed in [RING_SHARE_MIN, RING_SHARE_MAX]. */
const RING_SHARE_MIN = 0.042;
const RING_SHARE_MAX = 0.052;
/** Shares of legitimate applications in each non-single structure (the rest are singles). */
const LEGIT_SHARES = { household: 0.13, 'branch-kiosk': 0.04, 'office-network': 0.08, refinancer: 0.05, 'student-dorm': 0.045 } as const;
const DEFAULT_SIZE = 3000;

const RING_SHAPES = ['burst-farm', 'slow-ring', 'mule-collector'] as const;
const LEGIT_STRUCTURES = ['single', 'household', 'branch-kiosk', 'office-network', 'refinancer', 'student-dorm'] as const;
type RingShape = (typeof RING_SHAPES)[number];
type Structure = (typeof LEGIT_STRUCTURES)[number];

// ---------------------------------------------------------------------------------------------
// PRNG (sfc32 seeded through splitmix32)
// ---------------------------------------------------------------------------------------------

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const split = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 15; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) throw new Error('pick from an empty list');
    return v;
  }

  /** Index drawn with the given weights. */
  choose(weights: readonly number[]): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i] ?? 0;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] ?? 0;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (let i = 0; i < items.length; i++) total += (items[i] as readonly [T, number])[1];
    let u = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as readonly [T, number];
      u -= item[1];
      if (u < 0) return item[0];
    }
    const last = items[items.length - 1];
    if (!last) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const x = items[i] as T;
      items[i] = items[j] as T;
      items[j] = x;
    }
    return items;
  }

  hex(n: number): string {
    let s = '';
    while (s.length < n) s += ((this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  digits(n: number): string {
    let s = '';
    while (s.length < n) s += String(Math.floor(this.next() * 1e9)).padStart(9, '0');
    return s.slice(0, n);
  }
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

// ---------------------------------------------------------------------------------------------
// Calendar: 2025 in China time (UTC+8), hourly intensity with month-end and holiday spikes
// ---------------------------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2025-01-01 00:00 in UTC+8. */
const START = Date.UTC(2024, 11, 31, 16, 0, 0);
const DAYS = 365;
const END = START + DAYS * DAY;
/** Nothing is dated before 2025-01-01T00:00Z (08:00 China time on New Year's Day), so the book is 2025 in UTC as well. */
const FIRST = Date.UTC(2025, 0, 1);
/** Before this day the legacy origination system captured device ids and e-mails only partly. */
const CUTOVER_DAY = 59; // 2025-03-01

interface DayInfo {
  readonly month: number; // 1..12
  readonly dom: number;
  readonly dow: number; // 0 = Sunday
  readonly dim: number;
}

const DAY_INFO: readonly DayInfo[] = Array.from({ length: DAYS }, (_, d) => {
  const dt = new Date(Date.UTC(2025, 0, 1 + d));
  const month = dt.getUTCMonth() + 1;
  return { month, dom: dt.getUTCDate(), dow: dt.getUTCDay(), dim: new Date(Date.UTC(2025, month, 0)).getUTCDate() };
});

/** [month, first day, last day, online factor, branches open]. 2025 public holidays and shopping festivals. */
const SPECIAL_DAYS: readonly (readonly [number, number, number, number, boolean])[] = [
  [1, 1, 1, 0.6, false], // New Year's Day
  [1, 13, 27, 1.5, true], // run-up to Spring Festival: spending, travel, red envelopes
  [1, 28, 31, 0.45, false], // Spring Festival holiday
  [2, 1, 4, 0.45, false],
  [2, 5, 15, 1.2, true], // back to work, post-holiday bills
  [4, 4, 6, 0.8, false], // Qingming
  [5, 1, 5, 1.35, false], // Labour Day holiday (travel, consumption)
  [5, 31, 31, 0.9, false], // Dragon Boat
  [6, 1, 2, 0.9, false],
  [6, 14, 18, 1.6, true], // 618 shopping festival
  [8, 25, 31, 1.3, true], // back to school
  [9, 1, 5, 1.3, true],
  [10, 1, 8, 1.25, false], // National Day / Mid-Autumn Golden Week
  [11, 8, 11, 1.9, true], // Singles' Day
  [12, 10, 12, 1.3, true], // Double 12
  [12, 24, 31, 1.2, true],
];

function special(d: DayInfo): { factor: number; open: boolean } {
  let factor = 1;
  let open = true;
  for (const [m, a, b, f, o] of SPECIAL_DAYS) {
    if (d.month === m && d.dom >= a && d.dom <= b) {
      factor *= f;
      open = open && o;
    }
  }
  return { factor, open };
}

function monthEnd(d: DayInfo): number {
  if (d.dom > d.dim - 3) return 1.75; // last three days: bills and rent due
  if (d.dom <= 2) return 1.25;
  if (d.dom === 10 || d.dom === 15) return 1.15; // common paydays
  return 1;
}

const ONLINE_HOUR = [0.25, 0.15, 0.08, 0.05, 0.05, 0.08, 0.2, 0.45, 0.75, 1, 1.15, 1.2, 1.3, 1.1, 1.05, 1.05, 1, 0.95, 0.9, 1.05, 1.3, 1.4, 1.1, 0.6];
const WEEKDAY = [0.72, 1.05, 1, 1, 1, 1.05, 0.82];

type Clock = 'online' | 'branch' | 'work' | 'campus';

function hourWeight(clock: Clock, d: number, h: number): number {
  const info = DAY_INFO[d] as DayInfo;
  const sp = special(info);
  const trend = 0.9 + (0.2 * d) / DAYS; // the book grows over the year
  switch (clock) {
    case 'online':
      return (ONLINE_HOUR[h] ?? 0) * (WEEKDAY[info.dow] ?? 1) * sp.factor * monthEnd(info) * trend;
    case 'branch': {
      if (!sp.open || info.dow === 0) return 0;
      const sat = info.dow === 6;
      if (sat ? h < 10 || h >= 16 : h < 9 || h >= 17) return 0;
      const lunch = h === 12 ? 0.6 : 1;
      return (sat ? 0.6 : 1) * lunch * monthEnd(info) * Math.max(1, sp.factor * 0.8) * trend;
    }
    case 'work': {
      if (!sp.open || info.dow === 0 || info.dow === 6) return 0;
      if (h < 9 || h >= 18) return 0;
      return (h === 12 ? 1.4 : 1) * monthEnd(info) * trend;
    }
    case 'campus': {
      const m = info.month;
      const breakTime = m === 7 || (m === 8 && info.dom < 25) || (m === 1 && info.dom >= 15) || (m === 2 && info.dom < 20);
      return (ONLINE_HOUR[(h + 1) % 24] ?? 0) * (breakTime ? 0.15 : 1) * sp.factor * monthEnd(info);
    }
  }
}

class TimeSampler {
  private readonly cumulative: Float64Array;

  constructor(clock: Clock) {
    this.cumulative = new Float64Array(DAYS * 24);
    let acc = 0;
    for (let d = 0; d < DAYS; d++) {
      for (let h = 0; h < 24; h++) {
        acc += START + (d * 24 + h) * HOUR < FIRST ? 0 : hourWeight(clock, d, h);
        this.cumulative[d * 24 + h] = acc;
      }
    }
  }

  /** An epoch-ms instant, optionally restricted to [from, to). */
  sample(rng: Rng, from = START, to = END): number {
    const lo = Math.max(0, Math.floor((from - START) / HOUR));
    const hi = Math.min(DAYS * 24, Math.ceil((to - START) / HOUR));
    const base = lo > 0 ? (this.cumulative[lo - 1] ?? 0) : 0;
    const top = this.cumulative[hi - 1] ?? 0;
    if (top <= base) return clamp(from + rng.next() * (to - from), FIRST, END - 1000);
    const u = base + rng.next() * (top - base);
    let a = lo;
    let b = hi - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if ((this.cumulative[mid] ?? 0) > u) b = mid;
      else a = mid + 1;
    }
    const t = START + a * HOUR + rng.int(0, 3599) * 1000;
    return clamp(t, Math.max(from, FIRST), Math.min(to, END) - 1000);
  }
}

const SAMPLERS = new Map<Clock, TimeSampler>();
/** The samplers depend on nothing but the calendar, so they are built once. */
function sampler(clock: Clock): TimeSampler {
  let s = SAMPLERS.get(clock);
  if (!s) {
    s = new TimeSampler(clock);
    SAMPLERS.set(clock, s);
  }
  return s;
}

/** Day index (China time) of an instant. */
const dayOf = (t: number) => Math.floor((t - START) / DAY);
/** An instant at a given day index and local hour (fractional). */
const at = (day: number, hour: number) => START + day * DAY + Math.floor(hour * 3600) * 1000;

// ---------------------------------------------------------------------------------------------
// Geography and reference lists
// ---------------------------------------------------------------------------------------------

interface City {
  readonly name: string;
  readonly region: 'east' | 'north' | 'south' | 'west';
  readonly area: string;
  readonly idCodes: readonly string[];
  readonly districts: readonly string[];
  readonly broadband: readonly string[];
  readonly campus: string;
  readonly weight: number;
}

const CITIES: readonly City[] = [
  { name: 'Beijing', region: 'north', area: '010', idCodes: ['110101', '110102', '110105', '110108', '110106'], districts: ['Dongcheng', 'Xicheng', 'Chaoyang', 'Haidian', 'Fengtai'], broadband: ['123.112', '114.242', '221.216', '106.39'], campus: '166.111', weight: 0.13 },
  { name: 'Tianjin', region: 'north', area: '022', idCodes: ['120101', '120103', '120104'], districts: ['Heping', 'Hexi', 'Nankai', 'Hedong'], broadband: ['117.9', '60.26', '125.36'], campus: '202.113', weight: 0.06 },
  { name: 'Shenyang', region: 'north', area: '024', idCodes: ['210102', '210103', '210104'], districts: ['Heping', 'Shenhe', 'Dadong', 'Huanggu'], broadband: ['175.167', '59.46', '124.93'], campus: '202.118', weight: 0.04 },
  { name: 'Shanghai', region: 'east', area: '021', idCodes: ['310104', '310115', '310110', '310105', '310112'], districts: ['Xuhui', 'Pudong New', 'Yangpu', 'Changning', 'Minhang'], broadband: ['180.168', '116.227', '58.247', '101.87'], campus: '202.120', weight: 0.14 },
  { name: 'Hangzhou', region: 'east', area: '0571', idCodes: ['330106', '330102', '330105', '330108'], districts: ['Xihu', 'Shangcheng', 'Gongshu', 'Binjiang'], broadband: ['115.192', '122.224', '183.129'], campus: '210.32', weight: 0.07 },
  { name: 'Nanjing', region: 'east', area: '025', idCodes: ['320106', '320102', '320104', '320115'], districts: ['Gulou', 'Xuanwu', 'Qinhuai', 'Jiangning'], broadband: ['180.110', '114.222', '58.213'], campus: '202.119', weight: 0.06 },
  { name: 'Guangzhou', region: 'south', area: '020', idCodes: ['440106', '440104', '440105', '440111'], districts: ['Tianhe', 'Yuexiu', 'Haizhu', 'Baiyun'], broadband: ['113.108', '183.6', '14.127', '119.130'], campus: '202.116', weight: 0.11 },
  { name: 'Shenzhen', region: 'south', area: '0755', idCodes: ['440304', '440305', '440306', '440307'], districts: ['Futian', 'Nanshan', 'Baoan', 'Longgang'], broadband: ['183.14', '119.123', '113.87', '14.153'], campus: '210.39', weight: 0.1 },
  { name: 'Xiamen', region: 'south', area: '0592', idCodes: ['350203', '350206'], districts: ['Siming', 'Huli', 'Jimei'], broadband: ['117.28', '27.154', '110.87'], campus: '210.34', weight: 0.03 },
  { name: 'Chengdu', region: 'west', area: '028', idCodes: ['510107', '510104', '510105', '510108'], districts: ['Wuhou', 'Jinjiang', 'Qingyang', 'Chenghua'], broadband: ['171.221', '182.150', '125.70', '118.113'], campus: '202.115', weight: 0.09 },
  { name: 'Chongqing', region: 'west', area: '023', idCodes: ['500103', '500105', '500106', '500107'], districts: ['Yuzhong', 'Jiangbei', 'Shapingba', 'Jiulongpo'], broadband: ['14.111', '113.204', '222.180'], campus: '202.202', weight: 0.08 },
  { name: 'Xian', region: 'west', area: '029', idCodes: ['610113', '610103', '610104'], districts: ['Yanta', 'Beilin', 'Lianhu', 'Weiyang'], broadband: ['113.137', '117.32', '1.80'], campus: '202.117', weight: 0.05 },
];
const CITY_WEIGHTS = CITIES.map((c) => [c, c.weight] as const);
/** Birthplace codes of people who moved to a big city. */
const MIGRANT_ID_CODES = ['410102', '410302', '430102', '430602', '510104', '340102', '370102', '130102', '360102', '450102', '420106', '412702', '511302', '362201'];

const STREETS = ['Zhongshan Road', 'Renmin Road', 'Jiefang Road', 'Jianshe Road', 'Heping Road', 'Xinhua Road', 'Changjiang Road', 'Yanan Road', 'Huaihai Road', 'Wenhua Road', 'Dongfeng Road', 'Binhe Road', 'Xingfu Street', 'Chaoyang Road', 'Guangming Street', 'Nanjing Road', 'Beijing Road', 'Qingnian Road', 'Shengli Street', 'Jinqiao Road', 'Hongqi Road', 'Yingbin Avenue', 'Century Avenue', 'Keyuan Road'];
const COMPOUNDS = ['Jinxiu Garden', 'Huayuan Community', 'Lijing Residence', 'Xinyuan Apartments', 'Riverside Garden', 'Mingdu Court', 'Sunshine City', 'Vanke Park', 'Greenland Homes', 'Lakeside Villas', 'Fuli Plaza', 'Oriental Manor', 'Jade Garden', 'Wanda Residences', 'Poly Garden'];
const SURNAMES = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'gao', 'lin', 'luo', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng', 'zeng', 'xiao', 'tian', 'dong', 'pan', 'yuan', 'cai', 'jiang', 'yu', 'du'];
const GIVEN_M = ['wei', 'qiang', 'lei', 'jun', 'yang', 'yong', 'jie', 'tao', 'ming', 'chao', 'hao', 'peng', 'hui', 'bo', 'jian', 'zhiwei', 'jianguo', 'haoran', 'yuxuan', 'zihao', 'junjie', 'wenbo', 'xiaolong', 'dawei', 'guoqiang', 'zhenyu', 'tianyi', 'kai', 'lin', 'feng'];
const GIVEN_F = ['fang', 'na', 'min', 'jing', 'li', 'yan', 'juan', 'xiuying', 'xia', 'ting', 'lina', 'yiting', 'xinyi', 'yuxin', 'mengqi', 'jiayi', 'shuang', 'xue', 'qian', 'ying', 'hong', 'lei', 'xiaoyan', 'meiling', 'huimin', 'wenjing', 'ruoxi', 'yue', 'dan', 'lu'];
const FREEMAIL_WEIGHTS = [['163.com', 0.3], ['126.com', 0.14], ['sina.com', 0.1], ['foxmail.com', 0.1], ['outlook.com', 0.12], ['gmail.com', 0.08], ['yeah.net', 0.05], ['hotmail.com', 0.06], ['aliyun.com', 0.05]] as const;
const EMAIL_STYLE_W = [0.3, 0.15, 0.05, 0.1, 0.12, 0.08, 0.1, 0.1];
const BIG_EMPLOYERS = [
  'China Mobile Communications Group Co., Ltd.', 'State Grid Corporation of China', 'Industrial and Commercial Bank of China Ltd.',
  'Huawei Technologies Co., Ltd.', 'Ping An Insurance (Group) Company of China, Ltd.', 'China Railway Group Limited',
  'Alibaba Group Holding Limited', 'Tencent Holdings Ltd.', 'JD.com, Inc.', 'BYD Company Limited', 'SF Express Co., Ltd.',
  'China Post Group Corporation', 'China Telecom Corporation Limited', 'Sinopec Group',
];
const BIG_EMPLOYER_WEIGHTS = BIG_EMPLOYERS.map((e, i) => [e, 1 / (1 + i * 0.35)] as const);
const FIRM_WORDS = ['Huaxin', 'Jinyuan', 'Tianrui', 'Ruixiang', 'Boya', 'Xinghe', 'Dingsheng', 'Hongtai', 'Zhongke', 'Yuanfang', 'Lianchuang', 'Minghui', 'Kaida', 'Shengshi', 'Anxin', 'Fuyuan', 'Haoyun', 'Jiahe', 'Longxiang', 'Weiye', 'Xinda', 'Yongsheng', 'Zhongcheng', 'Baixin', 'Chuangzhi', 'Deli', 'Guangda', 'Hengtong', 'Jinding', 'Qiming'];
const FIRM_TRADES = ['Technology', 'Trading', 'Logistics', 'Catering Management', 'Construction Engineering', 'Electronics', 'Textile', 'Property Management', 'Education Consulting', 'Medical Devices', 'Auto Parts', 'Food', 'Network Technology', 'Decoration Engineering', 'Precision Machinery', 'Culture Media', 'Pharmaceutical', 'Printing', 'Supply Chain Management', 'Software'];
const FIRM_SUFFIX = ['Co., Ltd.', 'Co., Ltd.', 'Co., Ltd.', 'Group Co., Ltd.', 'Limited'];
const UNI_KINDS = ['Normal University', 'University of Technology', 'University of Finance and Economics', 'Medical University', 'Polytechnic University', 'Jiaotong University', 'University of Science and Technology', 'Foreign Studies University'];
const BANK_BINS = [['622202', 19], ['621700', 19], ['622848', 19], ['621661', 19], ['622588', 16], ['622262', 19], ['621483', 16], ['622700', 19], ['623058', 19], ['621226', 19]] as const;
const MOBILE_PREFIXES = ['134', '135', '136', '137', '138', '139', '150', '151', '152', '157', '158', '159', '182', '183', '187', '188', '198', '130', '131', '132', '155', '156', '185', '186', '176', '133', '153', '180', '181', '189', '199', '177', '173'];
const VIRTUAL_PREFIXES = ['170', '171', '162', '165', '167'];
/** Mobile-data CGNAT egress ranges per carrier (legitimate mobile users and slow rings both draw from these). */
const CARRIER_V4 = ['223.104', '117.136', '111.55', '112.97', '120.229', '39.144', '106.37', '223.73'];
const CARRIER_V6 = ['2409:8a00', '2409:8934', '2408:8456', '2408:8207', '240e:46c', '240e:3a1'];
const DATACENTER = ['47.96', '47.100', '39.96', '120.24', '1.12', '43.138', '82.156', '101.35', '8.134'];

// ---------------------------------------------------------------------------------------------
// Identifiers: canonical values and how applicants type them
// ---------------------------------------------------------------------------------------------

type Phone = { readonly kind: 'mobile'; readonly number: string } | { readonly kind: 'landline'; readonly area: string; readonly local: string };

interface Ident {
  nationalId?: string;
  phone?: Phone;
  deviceId?: string;
  ip?: string;
  email?: string;
  address?: readonly string[];
  bankAccount?: string;
  employer?: string;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function nationalIdOf(code: string, birth: Date, seq: number): string {
  const y = birth.getUTCFullYear();
  const m = String(birth.getUTCMonth() + 1).padStart(2, '0');
  const d = String(birth.getUTCDate()).padStart(2, '0');
  const body = `${code}${y}${m}${d}${String(seq).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (ID_WEIGHTS[i] ?? 0);
  return body + ('10X98765432'[sum % 11] ?? '0');
}

function luhnComplete(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let v = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return body + String((10 - (sum % 10)) % 10);
}

function spaced(rng: Rng, s: string): string {
  const r = rng.next();
  if (r < 0.02) return ` ${s}`;
  if (r < 0.04) return `${s} `;
  return s;
}

const PHONE_MOBILE_W = [0.44, 0.15, 0.06, 0.1, 0.1, 0.05, 0.04, 0.03, 0.03];
const PHONE_LANDLINE_W = [0.35, 0.15, 0.15, 0.15, 0.05, 0.1, 0.05];

function renderPhone(rng: Rng, p: Phone, canonical: boolean): string {
  if (p.kind === 'mobile') {
    const n = p.number;
    if (canonical) return n;
    let s: string;
    switch (rng.choose(PHONE_MOBILE_W)) {
      case 0: s = n; break;
      case 1: s = `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`; break;
      case 2: s = `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`; break;
      case 3: s = `+86 ${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`; break;
      case 4: s = `+86${n}`; break;
      case 5: s = `0086 ${n}`; break;
      case 6: s = `86-${n}`; break;
      case 7: s = `(+86) ${n}`; break;
      default: s = `+86-${n}`;
    }
    return spaced(rng, s);
  }
  const { area, local } = p;
  if (canonical) return `${area}-${local}`;
  const bare = area.slice(1);
  switch (rng.choose(PHONE_LANDLINE_W)) {
    case 0: return `${area}-${local}`;
    case 1: return `${area} ${local}`;
    case 2: return `(${area}) ${local.slice(0, 4)} ${local.slice(4)}`;
    case 3: return `+86 ${bare} ${local.slice(0, 4)} ${local.slice(4)}`;
    case 4: return `0086-${bare}-${local}`;
    case 5: return `${area}${local}`;
    default: return `+86-${bare}-${local}`;
  }
}

const NID_W = [0.78, 0.1, 0.04, 0.04, 0.04];

function renderNationalId(rng: Rng, id: string, canonical: boolean): string {
  if (canonical) return id;
  let s: string;
  switch (rng.choose(NID_W)) {
    case 0: s = id; break;
    case 1: s = `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`; break;
    case 2: s = `${id.slice(0, 6)}-${id.slice(6, 14)}-${id.slice(14)}`; break;
    case 3: s = `${id.slice(0, 3)} ${id.slice(3, 6)} ${id.slice(6, 10)} ${id.slice(10, 14)} ${id.slice(14)}`; break;
    default: s = ` ${id} `;
  }
  if (id.endsWith('X') && rng.chance(0.4)) s = s.replace(/X(\s*)$/, 'x$1');
  return s;
}

const BANK_W = [0.55, 0.3, 0.05, 0.05, 0.05];

function renderBank(rng: Rng, acct: string, canonical: boolean): string {
  if (canonical) return acct;
  switch (rng.choose(BANK_W)) {
    case 0: return acct;
    case 1: return acct.replace(/(\d{4})(?=\d)/g, '$1 ');
    case 2: return acct.replace(/(\d{4})(?=\d)/g, '$1-');
    case 3: return `${acct.slice(0, 6)} ${acct.slice(6)}`;
    default: return ` ${acct}`;
  }
}

function renderIp(rng: Rng, ip: string, canonical: boolean): string {
  if (canonical) return ip;
  if (ip.includes(':')) return rng.chance(0.2) ? ip.toUpperCase() : ip;
  const r = rng.next();
  if (r < 0.9) return ip;
  if (r < 0.95) return `::ffff:${ip}`;
  if (r < 0.98) return ip.split('.').map((o) => o.padStart(3, '0')).join('.');
  return ` ${ip}`;
}

function renderDevice(rng: Rng, id: string, canonical: boolean): string {
  if (canonical) return id;
  const r = rng.next();
  if (r < 0.1) return id === id.toUpperCase() ? id.toLowerCase() : id.toUpperCase();
  if (r < 0.13) return ` ${id}`;
  return id;
}

function renderEmail(rng: Rng, email: string, canonical: boolean): string {
  if (canonical) return email;
  const r = rng.next();
  if (r < 0.09) return email.charAt(0).toUpperCase() + email.slice(1);
  if (r < 0.12) return email.toUpperCase();
  if (r < 0.16) {
    const at = email.indexOf('@');
    return `${email.slice(0, at + 1)}${email.charAt(at + 1).toUpperCase()}${email.slice(at + 2)}`;
  }
  if (r < 0.19) return `${email} `;
  return email;
}

const ADDRESS_SEPS = [', ', ' ', ',', ',  ', '  '];
const ADDRESS_SEP_W = [0.62, 0.16, 0.12, 0.04, 0.06];
const ADDRESS_CASE_W = [0.66, 0.16, 0.1, 0.08];

function renderAddress(rng: Rng, segments: readonly string[], canonical: boolean): string {
  if (canonical) return segments.join(', ');
  let s = segments.join(ADDRESS_SEPS[rng.choose(ADDRESS_SEP_W)] ?? ', ');
  if (rng.chance(0.1)) s = s.replace(/\bNo\. /, 'No.');
  if (rng.chance(0.05)) s = s.replace(/^Room /, 'Room #');
  switch (rng.choose(ADDRESS_CASE_W)) {
    case 1: s = s.toLowerCase(); break;
    case 2: s = s.toUpperCase(); break;
    case 3: s = `${s}.`; break;
    default:
  }
  return spaced(rng, s);
}

function withoutPunctuation(name: string): string {
  return name.replace(/[.,()]/g, ' ').replace(/\s+/g, ' ').trim();
}

const EMPLOYER_W = [0.56, 0.1, 0.08, 0.14, 0.04, 0.08];

function renderEmployer(rng: Rng, name: string, canonical: boolean): string {
  if (canonical) return name;
  let s: string;
  switch (rng.choose(EMPLOYER_W)) {
    case 0: s = name; break;
    case 1: s = name.toUpperCase(); break;
    case 2: s = name.toLowerCase(); break;
    case 3: s = withoutPunctuation(name); break;
    case 4: s = withoutPunctuation(name).toUpperCase(); break;
    default: s = name.replace(', Ltd.', ',Ltd.').replace('Co., ', 'Co.,');
  }
  return spaced(rng, s);
}

// Weight tables of the categorical draws (hoisted so that nothing is allocated per draw).
const EMPLOYMENT_OLD: readonly (readonly [Employment, number])[] = [['retired', 0.6], ['employed', 0.25], ['self', 0.15]];
const CHECKING_WEAK: readonly (readonly [string, number])[] = [['lt_0', 0.44], ['0_to_200', 0.38], ['none', 0.12], ['gt_200', 0.06]];
const CHECKING_GOOD: readonly (readonly [string, number])[] = [['none', 0.67], ['0_to_200', 0.15], ['gt_200', 0.13], ['lt_0', 0.05]];
const SAVINGS_WEAK: readonly (readonly [string, number])[] = [['lt_100', 0.76], ['100_to_500', 0.11], ['unknown', 0.09], ['500_to_1000', 0.03], ['gt_1000', 0.01]];
const SAVINGS_GOOD: readonly (readonly [string, number])[] = [['lt_100', 0.38], ['unknown', 0.26], ['100_to_500', 0.1], ['500_to_1000', 0.1], ['gt_1000', 0.16]];
const JOB_SELF: readonly (readonly [string, number])[] = [['management_self_emp_highly_qualified', 0.7], ['skilled_employee', 0.3]];
const JOB_STUDENT: readonly (readonly [string, number])[] = [['unskilled_resident', 0.6], ['unemployed_unskilled', 0.4]];
const JOB_RETIRED: readonly (readonly [string, number])[] = [['skilled_employee', 0.45], ['unskilled_resident', 0.3], ['management_self_emp_highly_qualified', 0.2], ['unemployed_unskilled', 0.05]];
const JOB_UNEMPLOYED: readonly (readonly [string, number])[] = [['unemployed_unskilled', 0.45], ['unskilled_resident', 0.55]];
const STATUS_MALE_UNDER_25: readonly (readonly [string, number])[] = [['male_single', 0.88], ['male_married_widowed', 0.08], ['male_divorced_seperated', 0.04]];
const STATUS_MALE_25_35: readonly (readonly [string, number])[] = [['male_single', 0.55], ['male_married_widowed', 0.35], ['male_divorced_seperated', 0.1]];
const STATUS_MALE_OVER_35: readonly (readonly [string, number])[] = [['male_single', 0.32], ['male_married_widowed', 0.52], ['male_divorced_seperated', 0.16]];
const PROPERTY_WEAK: readonly (readonly [string, number])[] = [['unknown', 0.26], ['car_other', 0.36], ['insurance', 0.24], ['real_estate', 0.14]];
const HOUSING_STUDENT: readonly (readonly [string, number])[] = [['rent', 0.5], ['for_free', 0.5]];
const HOUSING_WEAK: readonly (readonly [string, number])[] = [['rent', 0.3], ['own', 0.58], ['for_free', 0.12]];
const OTHER_DEBTORS: readonly (readonly [string, number])[] = [['none', 0.91], ['guarantor', 0.055], ['co_applicant', 0.035]];
const PLANS_WEAK: readonly (readonly [string, number])[] = [['none', 0.72], ['bank', 0.2], ['stores', 0.08]];
const PLANS_GOOD: readonly (readonly [string, number])[] = [['none', 0.88], ['bank', 0.09], ['stores', 0.03]];
const INSTALMENT_WEAK: readonly (readonly [number, number])[] = [[4, 0.55], [3, 0.2], [2, 0.17], [1, 0.08]];
const INSTALMENT_GOOD: readonly (readonly [number, number])[] = [[4, 0.4], [3, 0.16], [2, 0.27], [1, 0.17]];
const RESIDENCE_STUDENT: readonly (readonly [number, number])[] = [[1, 0.5], [2, 0.35], [3, 0.1], [4, 0.05]];
const RESIDENCE: readonly (readonly [number, number])[] = [[1, 0.13], [2, 0.31], [3, 0.15], [4, 0.41]];
const CREDITS_WEAK: readonly (readonly [number, number])[] = [[1, 0.5], [2, 0.4], [3, 0.07], [4, 0.03]];
const CREDITS_GOOD: readonly (readonly [number, number])[] = [[1, 0.64], [2, 0.32], [3, 0.03], [4, 0.01]];
const PURPOSE_STUDENT: readonly (readonly [string, number])[] = [['education', 0.3], ['radio_television', 0.3], ['furniture_equipment', 0.1], ['retraining', 0.08], ['other', 0.12], ['used_car', 0.03], ['repairs', 0.07]];
const PURPOSE_MICRO: readonly (readonly [string, number])[] = [['radio_television', 0.34], ['furniture_equipment', 0.2], ['repairs', 0.1], ['domestic_appliance', 0.08], ['education', 0.08], ['other', 0.1], ['business', 0.06], ['retraining', 0.04]];
const PURPOSE_PERSONAL: readonly (readonly [string, number])[] = [['radio_television', 0.27], ['new_car', 0.17], ['furniture_equipment', 0.19], ['used_car', 0.11], ['business', 0.1], ['education', 0.05], ['repairs', 0.03], ['domestic_appliance', 0.02], ['retraining', 0.02], ['other', 0.04]];
const CHANNELS: readonly (readonly ['app' | 'web' | 'teller', number])[] = [['app', 0.58], ['web', 0.28], ['teller', 0.14]];
const HOUSEHOLD_HOUSING: readonly (readonly [string, number])[] = [['own', 0.72], ['rent', 0.22], ['for_free', 0.06]];
const HOMEOWNER_PROPERTY: readonly (readonly [string, number])[] = [['real_estate', 0.6], ['insurance', 0.2], ['car_other', 0.2]];
const MULE_GROUPS: readonly (readonly [number, number])[] = [[1, 0.15], [2, 0.45], [3, 0.3], [4, 0.1]];
const RING_EMPLOYMENT: readonly (readonly [Employment, number])[] = [['employed', 0.8], ['self', 0.15], ['unemployed', 0.05]];
const BURST_EMPLOYER_MODE: readonly (readonly ['none' | 'big' | 'small', number])[] = [['none', 0.35], ['big', 0.35], ['small', 0.3]];
const BURST_STOLEN: readonly (readonly [number, number])[] = [[0, 0.4], [1, 0.35], [2, 0.25]];
const MULE_STOLEN: readonly (readonly [number, number])[] = [[0, 0.5], [1, 0.3], [2, 0.2]];
const EXTRA_RING_SHAPES: readonly (readonly [RingShape, number])[] = [['burst-farm', 0.3], ['slow-ring', 0.35], ['mule-collector', 0.35]];

// ---------------------------------------------------------------------------------------------
// People and credit profiles
// ---------------------------------------------------------------------------------------------

type Employment = 'employed' | 'self' | 'unemployed' | 'retired' | 'student';
type Base = Omit<Applicant, 'age'>;

interface Person {
  readonly sex: 'm' | 'f';
  readonly surname: string;
  readonly given: string;
  readonly birth: Date;
  readonly city: City;
  readonly nationalId: string;
  readonly mobile: Phone;
  readonly email: string;
  readonly address: readonly string[];
  readonly bankAccount: string;
  readonly employer: string | undefined;
  readonly employment: Employment;
  readonly phoneDevice: string;
  webDevice: string | undefined;
  readonly homeIp: string;
  readonly weak: boolean;
  readonly base: Base;
}

interface PersonOptions {
  city?: City;
  age?: number;
  sex?: 'm' | 'f';
  surname?: string;
  employment?: Employment;
  weak?: boolean;
  married?: boolean;
  address?: readonly string[];
  homeIp?: string;
  employer?: string;
  housing?: string;
  property?: string;
  virtualPhone?: string;
}

function ageAt(birth: Date, t: number): number {
  const local = new Date(t + 8 * HOUR);
  let age = local.getUTCFullYear() - birth.getUTCFullYear();
  if (local.getUTCMonth() < birth.getUTCMonth() || (local.getUTCMonth() === birth.getUTCMonth() && local.getUTCDate() < birth.getUTCDate())) age--;
  return age;
}

function adultAge(rng: Rng): number {
  // Applicants cluster in their late twenties and thirties with a long tail to retirement.
  return clamp(Math.round(21 + rng.next() * 6 + -Math.log(1 - rng.next()) * 11), 21, 74);
}

function pickEmployment(rng: Rng, age: number): Employment {
  if (age >= 62) return rng.weighted(EMPLOYMENT_OLD);
  return rng.weighted<Employment>([['employed', 0.76], ['self', 0.13], ['unemployed', 0.07], ['student', age < 25 ? 0.08 : 0.005]]);
}

function baseProfile(rng: Rng, o: { age: number; sex: 'm' | 'f'; weak: boolean; employment: Employment; married?: boolean; housing?: string; property?: string }): Base {
  const { age, weak, employment } = o;
  const checkingAccountStatus = weak
    ? rng.weighted(CHECKING_WEAK)
    : rng.weighted(CHECKING_GOOD);
  const young = age < 25 || employment === 'student';
  const creditHistory = weak
    ? rng.weighted<string>([['paid_duly', 0.5], ['delay', 0.12], ['no_credit_all_paid', young ? 0.2 : 0.12], ['this_bank_all_paid', 0.12], ['critical', 0.1]])
    : rng.weighted<string>([['paid_duly', 0.5], ['critical', age > 35 ? 0.44 : 0.32], ['delay', 0.07], ['this_bank_all_paid', 0.03], ['no_credit_all_paid', young ? 0.06 : 0.015]]);
  const savingsAccountBonds = weak
    ? rng.weighted(SAVINGS_WEAK)
    : rng.weighted(SAVINGS_GOOD);
  let employmentDuration: string;
  if (employment === 'unemployed' || employment === 'retired') employmentDuration = 'unemployed';
  else if (employment === 'student') employmentDuration = rng.chance(0.7) ? 'unemployed' : 'lt_1';
  else {
    const maxYears = age - 18;
    employmentDuration = weak
      ? rng.weighted<string>([['lt_1', 0.3], ['1_to_4', 0.4], ['4_to_7', maxYears >= 5 ? 0.15 : 0], ['gt_7', maxYears >= 8 ? 0.12 : 0]])
      : rng.weighted<string>([['lt_1', 0.12], ['1_to_4', 0.33], ['4_to_7', maxYears >= 5 ? 0.2 : 0], ['gt_7', maxYears >= 8 ? 0.32 : 0]]);
  }
  let job: string;
  switch (employment) {
    case 'employed':
      job = rng.weighted<string>([['skilled_employee', 0.7], ['unskilled_resident', weak ? 0.26 : 0.17], ['management_self_emp_highly_qualified', weak ? 0.04 : 0.13]]);
      break;
    case 'self':
      job = rng.weighted(JOB_SELF);
      break;
    case 'student':
      job = rng.weighted(JOB_STUDENT);
      break;
    case 'retired':
      job = rng.weighted(JOB_RETIRED);
      break;
    default:
      job = rng.weighted(JOB_UNEMPLOYED);
  }
  let personalStatusSex: string;
  if (o.sex === 'f') personalStatusSex = 'female_not_single';
  else if (o.married) personalStatusSex = 'male_married_widowed';
  else if (age < 25) personalStatusSex = rng.weighted(STATUS_MALE_UNDER_25);
  else if (age < 36) personalStatusSex = rng.weighted(STATUS_MALE_25_35);
  else personalStatusSex = rng.weighted(STATUS_MALE_OVER_35);
  const property = o.property ?? (weak
    ? rng.weighted(PROPERTY_WEAK)
    : rng.weighted<string>([['real_estate', age > 30 ? 0.38 : 0.24], ['insurance', 0.24], ['car_other', 0.3], ['unknown', 0.08]]));
  const housing = o.housing ?? (employment === 'student'
    ? rng.weighted(HOUSING_STUDENT)
    : weak
      ? rng.weighted(HOUSING_WEAK)
      : rng.weighted<string>([['own', 0.78], ['rent', 0.14], ['for_free', age < 27 ? 0.16 : 0.06]]));
  const married = o.married ?? personalStatusSex === 'male_married_widowed';
  return {
    checkingAccountStatus,
    creditHistory,
    purpose: 'radio_television', // set per request
    savingsAccountBonds,
    employmentDuration,
    personalStatusSex,
    otherDebtorsGuarantors: rng.weighted(OTHER_DEBTORS),
    property,
    otherInstallmentPlans: weak
      ? rng.weighted(PLANS_WEAK)
      : rng.weighted(PLANS_GOOD),
    housing,
    job,
    installmentRatePct: weak
      ? rng.weighted(INSTALMENT_WEAK)
      : rng.weighted(INSTALMENT_GOOD),
    residenceYears: employment === 'student' ? rng.weighted(RESIDENCE_STUDENT) : rng.weighted(RESIDENCE),
    existingCredits: weak
      ? rng.weighted(CREDITS_WEAK)
      : rng.weighted(CREDITS_GOOD),
    dependents: rng.chance(married || age > 38 ? 0.24 : 0.06) ? 2 : 1,
    hasTelephone: rng.chance(age > 40 ? 0.55 : 0.36),
    foreignWorker: rng.chance(0.94),
  };
}

interface Request {
  readonly product: 'personal_loan' | 'micro_loan';
  readonly amount: number;
  readonly termMonths: number;
  readonly purpose: string;
}

const PERSONAL_TERMS = [6, 9, 12, 15, 18, 24, 30, 36, 42, 48, 60, 72];
const MICRO_TERMS = [3, 6, 9, 12, 18, 24];

function pickPurpose(rng: Rng, micro: boolean, student: boolean): string {
  if (student) return rng.weighted(PURPOSE_STUDENT);
  if (micro) return rng.weighted(PURPOSE_MICRO);
  return rng.weighted(PURPOSE_PERSONAL);
}

function nearestTerm(terms: readonly number[], target: number): number {
  let best = terms[0] ?? 12;
  for (const t of terms) if (Math.abs(t - target) < Math.abs(best - target)) best = t;
  return best;
}

function makeRequest(rng: Rng, o: { weak: boolean; age: number; microP: number; student?: boolean; purpose?: string; scale?: number; product?: 'personal_loan' | 'micro_loan' }): Request {
  const micro = o.product ? o.product === 'micro_loan' : rng.chance(o.age < 21 ? 0.92 : o.microP);
  const purpose = o.purpose ?? pickPurpose(rng, micro, o.student ?? false);
  const scale = o.scale ?? 1;
  if (micro) {
    let amount = Math.exp(Math.log(1100 * scale * (o.weak ? 1.25 : 1)) + 0.6 * rng.normal());
    amount = rng.chance(0.005) ? clamp(amount, 3050, 5000) : clamp(amount, 100, 3000);
    const step = rng.chance(0.7) ? 100 : 50;
    amount = Math.max(100, Math.round(amount / step) * step);
    let term = rng.chance(0.004) ? rng.int(1, 2) : nearestTerm(MICRO_TERMS, clamp(2 + amount / 180 + rng.normal() * 3, 3, 24));
    while (o.age + term / 12 > 70 && term > 3) term = MICRO_TERMS.filter((x) => x < term).pop() ?? 3;
    return { product: 'micro_loan', amount, termMonths: term, purpose };
  }
  const carLike = purpose === 'new_car' || purpose === 'used_car' || purpose === 'business';
  let amount = Math.exp(Math.log((o.weak ? 3800 : 2600) * scale * (carLike ? 1.35 : 1)) + 0.7 * rng.normal());
  amount = rng.chance(0.01) ? clamp(amount * 1.5, 20100, 30000) : clamp(amount, 500, 20000);
  const step = rng.chance(0.75) ? 100 : 50;
  amount = Math.max(500, Math.round(amount / step) * step);
  let term = nearestTerm(PERSONAL_TERMS, clamp((6 + amount / (o.weak ? 300 : 380)) * (o.weak ? 1.15 : 1) * Math.exp(0.35 * rng.normal()), 6, 72));
  while (o.age + term / 12 > 75 && term > 6) term = PERSONAL_TERMS.filter((x) => x < term).pop() ?? 6;
  return { product: 'personal_loan', amount, termMonths: term, purpose };
}

// ---------------------------------------------------------------------------------------------
// The generator state: fresh-value registries, IP pools, people
// ---------------------------------------------------------------------------------------------

interface Draft {
  readonly t: number;
  readonly ring: string | null;
  readonly kind: string;
  readonly region: string;
  readonly req: Request;
  readonly applicant: Applicant;
  readonly ids: RawIdentifiers;
  readonly order: number;
}

interface Kiosk {
  readonly city: City;
  readonly device: string;
  readonly ip: string;
}

class World {
  readonly rng: Rng;
  readonly used = new Map<string, Set<string>>();
  readonly drafts: Draft[] = [];
  /** Ordinary applicants whose identity data a ring may later misuse (a sample of the singles). */
  readonly exposed: Person[] = [];
  readonly hubAddresses: (readonly string[])[] = [];
  readonly kiosks: Kiosk[] = [];
  readonly carrierPool: Map<string, string[]>;
  readonly smallEmployers: string[];
  readonly online = sampler('online');
  readonly branch = sampler('branch');
  readonly work = sampler('work');
  readonly campus = sampler('campus');

  constructor(seed: number, size: number) {
    this.rng = new Rng(seed);
    this.carrierPool = new Map();
    const poolSize = Math.max(120, Math.round(size * 0.12));
    for (const region of ['east', 'north', 'south', 'west']) {
      const pool: string[] = [];
      const prefixes = this.rng.shuffle([...CARRIER_V4]).slice(0, 4);
      for (let i = 0; i < poolSize; i++) pool.push(`${this.rng.pick(prefixes)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`);
      this.carrierPool.set(region, pool);
    }
    this.smallEmployers = Array.from({ length: Math.max(150, Math.round(size * 0.5)) }, () => this.firmName(this.rng.weighted(CITY_WEIGHTS)));
  }

  /** Claims v for this identifier type: false when it was already handed out. */
  claim(type: string, v: string): boolean {
    let used = this.used.get(type);
    if (!used) {
      used = new Set();
      this.used.set(type, used);
    }
    if (used.has(v)) return false;
    used.add(v);
    return true;
  }

  /** A value make() has not produced before for this type. */
  fresh(type: string, make: () => string): string {
    for (let i = 0; i < 50; i++) {
      const v = make();
      if (this.claim(type, v)) return v;
    }
    throw new Error(`could not make a fresh ${type}`);
  }

  firmName(city: City): string {
    const r = this.rng;
    const first = r.pick(FIRM_WORDS);
    let second = '';
    if (r.chance(0.3)) {
      const w = r.pick(FIRM_WORDS);
      if (w !== first) second = ` ${w}`;
    }
    return `${city.name} ${first}${second} ${r.pick(FIRM_TRADES)} ${r.pick(FIRM_SUFFIX)}`;
  }

  city(): City {
    return this.rng.weighted(CITY_WEIGHTS);
  }

  mobile(prefixes: readonly string[] = MOBILE_PREFIXES): Phone {
    for (;;) {
      const number = `${this.rng.pick(prefixes)}${this.rng.digits(8)}`;
      if (this.claim('phone', number)) return { kind: 'mobile', number };
    }
  }

  landline(city: City): Phone {
    const first = this.rng.pick(['5', '6', '8']);
    const local = this.fresh('landline', () => `${first}${this.rng.digits(7)}`);
    return { kind: 'landline', area: city.area, local };
  }

  nationalId(city: City | null, birth: Date, sex: 'm' | 'f'): string {
    const code = city && this.rng.chance(0.6) ? this.rng.pick(city.idCodes) : this.rng.pick(MIGRANT_ID_CODES);
    for (;;) {
      let seq = this.rng.int(0, 999);
      if ((seq % 2 === 1) !== (sex === 'm')) seq = (seq + 1) % 1000;
      const id = nationalIdOf(code, birth, seq);
      if (this.claim('nid', id)) return id;
    }
  }

  bankAccount(): string {
    for (;;) {
      const [bin, len] = this.rng.pick(BANK_BINS);
      const acct = luhnComplete(bin + this.rng.digits(len - bin.length - 1));
      if (this.claim('bank', acct)) return acct;
    }
  }

  phoneDevice(): string {
    // 64-bit Android ids and 128-bit iOS vendor ids: collisions are not a concern.
    if (this.rng.chance(0.58)) return this.rng.hex(16);
    const h = this.rng.hex(32).toUpperCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  webDevice(): string {
    return `fp-${this.rng.hex(24)}`;
  }

  broadbandIp(city: City): string {
    for (;;) {
      const ip = `${this.rng.pick(city.broadband)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`;
      if (this.claim('ip', ip)) return ip;
    }
  }

  carrierIp(region: string): string {
    if (this.rng.chance(0.25)) {
      const h = this.rng.hex(24);
      let ip = this.rng.pick(CARRIER_V6);
      for (let i = 0; i < 24; i += 4) ip += `:${h.slice(i, i + 4).replace(/^0+(?=.)/, '')}`;
      return ip;
    }
    return this.rng.pick(this.carrierPool.get(region) ?? ['223.104.1.1']);
  }

  datacenterIp(): string {
    return this.fresh('ip', () => `${this.rng.pick(DATACENTER)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`);
  }

  address(city: City): string[] {
    const r = this.rng;
    const street = `No. ${r.int(1, 1999)} ${r.pick(STREETS)}`;
    const district = `${r.pick(city.districts)} District`;
    let room = '';
    let building = 0;
    let compound = '';
    for (;;) {
      room = `${r.int(1, 33)}${String(r.int(1, 6)).padStart(2, '0')}`;
      building = r.int(1, 30);
      compound = r.pick(COMPOUNDS);
      if (this.claim('addr', `${room}|${building}|${compound}|${street}|${district}|${city.name}`)) break;
    }
    if (r.chance(0.2)) return [`Room ${room}`, `Unit ${r.int(1, 4)}`, `Building ${building}`, compound, street, district, city.name];
    if (r.chance(0.25)) return [`Room ${room}`, `Building ${building}`, street, district, city.name];
    return [`Room ${room}`, `Building ${building}`, compound, street, district, city.name];
  }

  email(surname: string, given: string, birth: Date, style?: 'mule', domain?: string): string {
    for (;;) {
      const e = style === 'mule' ? `${given}.${surname}${this.rng.int(100, 999)}@${domain ?? '163.com'}` : this.emailCandidate(surname, given, birth);
      if (this.claim('email', e)) return e;
    }
  }

  private emailCandidate(surname: string, given: string, birth: Date): string {
    const r = this.rng;
    if (r.chance(0.3)) return `${r.int(1, 9)}${r.digits(r.int(6, 9))}@qq.com`;
    const dom = r.weighted(FREEMAIL_WEIGHTS);
    switch (r.choose(EMAIL_STYLE_W)) {
      case 0: return `${surname}${given}${r.chance(0.6) ? r.int(1, 999) : ''}@${dom}`;
      case 1: return `${surname}.${given}${r.chance(0.4) ? String(birth.getUTCFullYear()).slice(2) : ''}@${dom}`;
      case 2: return `${given}.${surname}${r.int(100, 999)}@${dom}`;
      case 3: return `${given}${surname}${String(birth.getUTCFullYear()).slice(2)}@${dom}`;
      case 4: return `${surname.charAt(0)}${given.charAt(0)}${r.int(1960, 2006)}@${dom}`;
      case 5: return `${surname}_${given}${r.int(1, 99)}@${dom}`;
      case 6: return `${given}${r.int(100, 99999)}@${dom}`;
      default: return `${surname}${given.charAt(0)}${r.digits(4)}@${dom}`;
    }
  }



  person(o: PersonOptions = {}): Person {
    const r = this.rng;
    const city = o.city ?? this.city();
    const age = o.age ?? adultAge(r);
    const sex = o.sex ?? (r.chance(0.52) ? 'm' : 'f');
    const surname = o.surname ?? r.pick(SURNAMES);
    const given = r.pick(sex === 'm' ? GIVEN_M : GIVEN_F);
    const birth = new Date(Date.UTC(2025 - age, 6, 1) - r.int(0, 364) * DAY);
    const employment = o.employment ?? pickEmployment(r, age);
    const weak = o.weak ?? r.chance(WEAK_SHARE);
    let employer = o.employer;
    if (employer === undefined && (employment === 'employed' || (employment === 'student' && r.chance(0.15)))) {
      employer = r.chance(0.2) ? r.weighted(BIG_EMPLOYER_WEIGHTS) : r.chance(0.75) ? r.pick(this.smallEmployers) : this.firmName(city);
    }
    const base = baseProfile(r, {
      age, sex, weak, employment,
      ...(o.married !== undefined ? { married: o.married } : {}),
      ...(o.housing !== undefined ? { housing: o.housing } : {}),
      ...(o.property !== undefined ? { property: o.property } : {}),
    });
    return {
      sex, surname, given, birth, city,
      nationalId: this.nationalId(city, birth, sex),
      mobile: o.virtualPhone ? { kind: 'mobile', number: this.fresh('phone', () => `${o.virtualPhone}${r.digits(11 - (o.virtualPhone?.length ?? 0))}`) } : this.mobile(r.chance(0.03) ? VIRTUAL_PREFIXES : MOBILE_PREFIXES),
      email: this.email(surname, given, birth),
      address: o.address ?? this.address(city),
      bankAccount: this.bankAccount(),
      employer,
      employment,
      phoneDevice: this.phoneDevice(),
      webDevice: undefined,
      homeIp: o.homeIp ?? this.broadbandIp(city),
      weak,
      base,
    };
  }

  webDeviceOf(p: Person): string {
    p.webDevice ??= this.webDevice();
    return p.webDevice;
  }

  /** Identifiers of an ordinary self-service application by p (online or at a teller). */
  ordinaryIdent(p: Person, channel: 'app' | 'web' | 'teller', opts: { ip?: string; device?: string } = {}): Ident {
    const r = this.rng;
    const ident: Ident = {};
    if (r.chance(0.985)) ident.nationalId = p.nationalId;
    if (r.chance(0.99)) ident.phone = p.mobile;
    if (channel === 'app') {
      ident.deviceId = opts.device ?? p.phoneDevice;
      ident.ip = opts.ip ?? (r.chance(0.55) ? this.carrierIp(p.city.region) : p.homeIp);
    } else if (channel === 'web') {
      ident.deviceId = opts.device ?? this.webDeviceOf(p);
      ident.ip = opts.ip ?? (r.chance(0.88) ? p.homeIp : this.carrierIp(p.city.region));
    }
    if (r.chance(channel === 'teller' ? 0.55 : 0.86)) ident.email = p.email;
    if (r.chance(0.96)) ident.address = p.address;
    if (r.chance(0.92)) ident.bankAccount = p.bankAccount;
    if (p.employer !== undefined && r.chance(0.9)) ident.employer = p.employer;
    return ident;
  }

  channel(): 'app' | 'web' | 'teller' {
    return this.rng.weighted(CHANNELS);
  }

  emit(t: number, ring: string | null, kind: string, p: Person, req: Request, ident: Ident, opts: { canonical?: boolean; systemDevice?: boolean; region?: string; base?: Base } = {}): void {
    const r = this.rng;
    const canonical = opts.canonical ?? false;
    const legacy = dayOf(t) < CUTOVER_DAY;
    const ids: RawIdentifiers = {};
    if (ident.nationalId !== undefined) ids.nationalId = renderNationalId(r, ident.nationalId, canonical);
    if (ident.phone !== undefined) ids.phone = renderPhone(r, ident.phone, canonical);
    if (ident.deviceId !== undefined && (!legacy || opts.systemDevice || r.chance(0.45))) ids.deviceId = renderDevice(r, ident.deviceId, canonical || (opts.systemDevice ?? false));
    if (ident.ip !== undefined && (!legacy || r.chance(0.85))) ids.ip = renderIp(r, ident.ip, canonical);
    if (ident.email !== undefined && (!legacy || r.chance(0.75))) ids.email = renderEmail(r, ident.email, canonical);
    if (ident.address !== undefined) ids.address = renderAddress(r, ident.address, canonical);
    if (ident.bankAccount !== undefined) ids.bankAccount = renderBank(r, ident.bankAccount, canonical);
    if (ident.employer !== undefined) ids.employer = renderEmployer(r, ident.employer, canonical);
    const base = opts.base ?? p.base;
    const applicant: Applicant = {
      age: clamp(ageAt(p.birth, t), 18, 120),
      ...base,
      purpose: req.purpose,
    };
    this.drafts.push({ t, ring, kind, region: opts.region ?? p.city.region, req, applicant, ids, order: this.drafts.length });
  }

  requestFor(p: Person, t: number, extra: { microP?: number; scale?: number; product?: 'personal_loan' | 'micro_loan' } = {}): Request {
    return makeRequest(this.rng, {
      weak: p.weak,
      age: ageAt(p.birth, t),
      microP: extra.microP ?? (p.employment === 'student' ? 0.8 : 0.33),
      student: p.employment === 'student',
      ...(extra.scale !== undefined ? { scale: extra.scale } : {}),
      ...(extra.product !== undefined ? { product: extra.product } : {}),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Legitimate structures
// ---------------------------------------------------------------------------------------------

function genSingle(w: World): void {
  const p = w.person();
  if (w.rng.chance(0.08)) w.exposed.push(p);
  const ch = w.channel();
  const t = ch === 'teller' ? w.branch.sample(w.rng) : w.online.sample(w.rng);
  w.emit(t, null, 'single', p, w.requestFor(p, t), w.ordinaryIdent(p, ch));
}

function genHousehold(w: World, n: number): void {
  const r = w.rng;
  const city = w.city();
  const address = w.address(city);
  const homeIp = w.broadbandIp(city);
  w.hubAddresses.push(address);
  const hhWeak = r.chance(0.22);
  const housing = r.weighted(HOUSEHOLD_HOUSING);
  const property = housing === 'own' ? r.weighted(HOMEOWNER_PROPERTY) : undefined;
  const common = { city, address, homeIp, housing, ...(property ? { property } : {}) };
  const members: Person[] = [];
  const withChild = n === 3 || r.chance(0.25);
  const parentAge = withChild ? r.int(46, 66) : r.int(24, 64);
  const husband = w.person({ ...common, age: parentAge + r.int(0, 3), sex: 'm', married: true, weak: r.chance(hhWeak ? 0.7 : 0.12) });
  const wife = w.person({ ...common, age: parentAge, sex: 'f', married: true, weak: r.chance(hhWeak ? 0.7 : 0.12) });
  if (n === 2 && withChild) {
    const parent = r.chance(0.5) ? husband : wife;
    members.push(parent);
  } else {
    members.push(husband, wife);
  }
  if (withChild) {
    const childAge = clamp(parentAge - r.int(23, 32), 20, 40);
    members.push(w.person({ ...common, age: childAge, surname: husband.surname, married: false, weak: r.chance(hhWeak ? 0.6 : 0.2), housing: 'for_free' }));
  }
  // Shared household details: sometimes one phone (home landline or a spouse's mobile), a family tablet, a joint account.
  const sharedPhone: Phone | undefined = r.chance(0.3) ? (r.chance(0.45) ? w.landline(city) : members[0]?.mobile) : undefined;
  const sharedDevice = r.chance(0.2) ? members[0]?.phoneDevice : undefined;
  const joint = r.chance(0.25) ? members[0]?.bankAccount : undefined;
  const familyEmail = r.chance(0.08) ? members[0]?.email : undefined;
  const together = r.chance(0.35);
  const t0 = w.online.sample(r);
  members.forEach((p, i) => {
    const t = together ? clamp(t0 + i * r.int(5, 180) * 60_000, FIRST, END - 1000) : w.online.sample(r);
    const fromHome = r.chance(0.75);
    const ch = fromHome ? (r.chance(0.65) ? 'app' : 'web') : w.channel();
    const device = sharedDevice !== undefined && i > 0 && r.chance(0.7) ? sharedDevice : undefined;
    const ident = w.ordinaryIdent(p, ch, { ...(fromHome ? { ip: homeIp } : {}), ...(device && ch !== 'teller' ? { device } : {}) });
    if (ident.phone && sharedPhone && (sharedPhone.kind === 'landline' || i > 0) && r.chance(0.8)) ident.phone = sharedPhone;
    if (joint && r.chance(0.8)) ident.bankAccount = joint;
    if (familyEmail && ident.email) ident.email = familyEmail;
    w.emit(t, null, 'household', p, w.requestFor(p, t), ident);
  });
}

function makeKiosks(w: World, size: number): void {
  const r = w.rng;
  const branches = clamp(Math.round(size / 1200), 2, 12);
  for (let b = 0; b < branches; b++) {
    const city = w.city();
    const ip = w.broadbandIp(city);
    const code = `${r.pick(['HT', 'GRG', 'KS'])}${r.int(10, 99)}`;
    const n = r.chance(0.45) ? 2 : 1;
    for (let k = 0; k < n; k++) {
      const device = w.fresh('dev', () => `${code}-${r.digits(4)}-${r.hex(4).toUpperCase()}`);
      w.kiosks.push({ city, device, ip });
    }
  }
}

function genKioskApplicant(w: World, kiosk: Kiosk): void {
  const r = w.rng;
  const p = w.person({ city: kiosk.city });
  const t = w.branch.sample(r);
  const ident: Ident = {
    nationalId: p.nationalId, // read from the ID card
    phone: p.mobile,
    deviceId: kiosk.device,
    ip: kiosk.ip,
  };
  if (r.chance(0.45)) ident.email = p.email;
  if (r.chance(0.97)) ident.address = p.address;
  if (r.chance(0.95)) ident.bankAccount = p.bankAccount;
  if (p.employer !== undefined && r.chance(0.85)) ident.employer = p.employer;
  w.emit(t, null, 'branch-kiosk', p, w.requestFor(p, t, { microP: 0.25 }), ident, { systemDevice: true });
}

function genOffice(w: World, n: number): void {
  const r = w.rng;
  const city = w.city();
  const employer = w.fresh('emp', () => w.firmName(city));
  const officeIp = w.broadbandIp(city);
  const deskLines = Array.from({ length: r.int(1, 2) }, () => w.landline(city));
  const deskShare = r.next() * 0.45;
  for (let i = 0; i < n; i++) {
    const p = w.person({ city, employment: 'employed', employer, age: clamp(Math.round(23 + -Math.log(1 - r.next()) * 10), 22, 60) });
    const atOffice = r.chance(0.65);
    const t = atOffice ? w.work.sample(r) : w.online.sample(r);
    const ch = atOffice ? (r.chance(0.55) ? 'web' : 'app') : w.channel();
    const ident = w.ordinaryIdent(p, ch, atOffice ? { ip: officeIp } : {});
    if (ident.phone && r.chance(deskShare)) ident.phone = r.pick(deskLines);
    if (p.employer !== undefined && !ident.employer && r.chance(0.7)) ident.employer = p.employer;
    w.emit(t, null, 'office-network', p, w.requestFor(p, t), ident);
  }
}

function genRefinancer(w: World, n: number): void {
  const r = w.rng;
  const p = w.person({ weak: r.chance(0.75) });
  const gaps = Array.from({ length: n - 1 }, () => r.int(6, 35) * DAY + r.int(-12, 12) * HOUR);
  const total = gaps.reduce((a, b) => a + b, 0);
  const t0 = w.online.sample(r, START, END - total - DAY);
  const ch = r.chance(0.15) ? 'teller' : r.chance(0.7) ? 'app' : 'web';
  let req = w.requestFor(p, t0, { microP: 0.3 });
  let base = p.base;
  let t = t0;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      t += gaps[i - 1] ?? 14 * DAY;
      // After a decline: ask for less, often over longer, sometimes with a guarantor or a lower instalment band.
      const amount = Math.max(req.product === 'micro_loan' ? 100 : 500, Math.round((req.amount * (0.5 + r.next() * 0.35)) / 50) * 50);
      const terms = req.product === 'micro_loan' ? MICRO_TERMS : PERSONAL_TERMS;
      const longer = terms.find((x) => x > req.termMonths) ?? req.termMonths;
      const age = ageAt(p.birth, t);
      const termMonths = r.chance(0.5) && age + longer / 12 <= (req.product === 'micro_loan' ? 70 : 75) ? longer : req.termMonths;
      req = { ...req, amount, termMonths };
      base = {
        ...base,
        installmentRatePct: r.chance(0.4) ? Math.max(1, base.installmentRatePct - 1) : base.installmentRatePct,
        otherDebtorsGuarantors: r.chance(0.2) ? 'guarantor' : base.otherDebtorsGuarantors,
      };
    }
    const channel = r.chance(0.8) ? ch : w.channel();
    const ident = w.ordinaryIdent(p, channel);
    w.emit(t, null, 'refinancer', p, req, ident, { base });
  }
}

function genDorm(w: World, n: number): void {
  const r = w.rng;
  const city = w.city();
  const uni = `${city.name} ${r.pick(UNI_KINDS)}`;
  const address = [`Building ${r.int(1, 24)}`, `${uni} Student Dormitory`, `No. ${r.int(1, 1500)} ${r.pick(STREETS)}`, `${r.pick(city.districts)} District`, city.name];
  w.hubAddresses.push(address);
  const egress = Array.from({ length: r.int(1, 2) }, () => w.fresh('ip', () => `${city.campus}.${r.int(0, 255)}.${r.int(1, 254)}`));
  for (let i = 0; i < n; i++) {
    const p = w.person({ city, address, age: r.int(19, 25), employment: 'student', weak: r.chance(0.42) });
    const t = w.campus.sample(r);
    const onCampus = r.chance(0.72);
    const ident = w.ordinaryIdent(p, r.chance(0.85) ? 'app' : 'web', onCampus ? { ip: r.pick(egress) } : {});
    w.emit(t, null, 'student-dorm', p, w.requestFor(p, t), ident);
  }
}

// ---------------------------------------------------------------------------------------------
// Fraud rings
// ---------------------------------------------------------------------------------------------

function sizeFor(r: Rng, shape: RingShape): number {
  switch (shape) {
    case 'burst-farm':
      return r.int(20, 30);
    case 'slow-ring':
      return r.int(8, 15);
    case 'mule-collector':
      return r.weighted(MULE_GROUPS) * 5 + r.int(-1, 1);
  }
}
const MIN_SIZE: Record<RingShape, number> = { 'burst-farm': 20, 'slow-ring': 8, 'mule-collector': 4 };

/** A ring member's person: synthetic, or built on a real (legitimate) applicant's stolen identity. */
function ringPerson(w: World, city: City, o: { weak?: number; victim?: Person; virtualPhone?: string; employer?: string }): Person {
  const r = w.rng;
  const p = w.person({
    city,
    age: r.int(22, 48),
    weak: r.chance(o.weak ?? 0.3),
    employment: r.weighted(RING_EMPLOYMENT),
    ...(o.virtualPhone ? { virtualPhone: o.virtualPhone } : {}),
    ...(o.employer !== undefined ? { employer: o.employer } : {}),
  });
  const v = o.victim;
  if (!v) return p;
  // Identity theft: the victim's name, ID number, birth date and often address; the ring's own contact points.
  const victimsAddress = r.chance(0.6);
  return {
    ...p,
    sex: v.sex, surname: v.surname, given: v.given, birth: v.birth, nationalId: v.nationalId,
    city: victimsAddress ? v.city : p.city,
    address: victimsAddress ? v.address : p.address,
    email: w.email(v.surname, v.given, v.birth),
  };
}

function victims(w: World, n: number): Person[] {
  const out: Person[] = [];
  for (let i = 0; i < n && w.exposed.length > 0; i++) out.push(w.rng.pick(w.exposed));
  return out;
}

function genBurstFarm(w: World, id: string, n: number): void {
  const r = w.rng;
  const city = w.city();
  const oneCity = r.chance(0.7);
  const devices = Array.from({ length: r.int(2, 3) }, () => (r.chance(0.7) ? w.phoneDevice() : w.webDevice()));
  const mules = Array.from({ length: r.int(1, 2) }, () => w.bankAccount());
  const ipMode = r.weighted<'rotating' | 'per-device' | 'mixed'>([['rotating', 0.35], ['per-device', 0.35], ['mixed', 0.3]]);
  const deviceIps = devices.map(() => (r.chance(0.5) ? w.broadbandIp(city) : w.datacenterIp()));
  const simBatch = r.chance(0.55) ? `${r.pick(r.chance(0.6) ? VIRTUAL_PREFIXES : MOBILE_PREFIXES)}${r.digits(3)}` : undefined;
  const scripted = r.chance(0.5);
  const employerMode = r.weighted(BURST_EMPLOYER_MODE);
  const stolen = victims(w, r.weighted(BURST_STOLEN));
  const hubAddr = r.chance(0.3) && w.hubAddresses.length > 0 ? r.pick(w.hubAddresses) : undefined;
  const dropAddresses = r.chance(0.35) ? Array.from({ length: r.int(2, 4) }, () => w.address(city)) : undefined;
  const microP = r.next() * 0.5 + 0.45;
  // 20-30 applications in two to four scripted sessions inside 48 hours, often hidden in a month-end or holiday peak.
  const start = w.online.sample(r, START, END - 2 * DAY);
  const sessions = Array.from({ length: r.int(2, 4) }, () => start + r.int(0, 46 * 60) * 60_000);
  const template = baseProfile(r, { age: 30, sex: 'm', weak: false, employment: 'employed' });
  for (let i = 0; i < n; i++) {
    const mcity = oneCity ? city : w.city();
    const employer = employerMode === 'big' ? r.weighted(BIG_EMPLOYER_WEIGHTS) : employerMode === 'small' ? w.firmName(mcity) : undefined;
    const victim = stolen[i];
    let p = ringPerson(w, mcity, { ...(victim ? { victim } : {}), ...(simBatch ? { virtualPhone: simBatch } : {}), ...(employer ? { employer } : {}) });
    if (dropAddresses && !victim && r.chance(0.7)) p = { ...p, address: r.pick(dropAddresses) };
    if (hubAddr && i % 9 === 4) p = { ...p, address: hubAddr };
    const s = sessions[i % sessions.length] ?? start;
    const t = clamp(s + Math.floor(i / sessions.length) * r.int(3, 25) * 60_000, FIRST, Math.min(END - 1000, start + 48 * HOUR - 60_000));
    const di = r.int(0, devices.length - 1);
    const ip = ipMode === 'rotating' || (ipMode === 'mixed' && r.chance(0.5)) ? (r.chance(0.6) ? w.datacenterIp() : w.broadbandIp(w.city())) : (deviceIps[di] ?? w.datacenterIp());
    const ident: Ident = { nationalId: p.nationalId, phone: p.mobile, deviceId: devices[di] ?? w.phoneDevice(), ip, bankAccount: r.pick(mules) };
    if (r.chance(0.75)) ident.email = w.email(p.surname, p.given, p.birth);
    if (r.chance(0.92)) ident.address = p.address;
    if (employer) ident.employer = employer;
    // Profiles are typed in by the operator: mostly plausible, some fields copied from a script.
    const base: Base = { ...p.base };
    for (const k of ['employmentDuration', 'job', 'housing', 'savingsAccountBonds', 'otherInstallmentPlans'] as const) if (r.chance(0.35)) base[k] = template[k];
    const req = makeRequest(r, { weak: p.weak, age: ageAt(p.birth, t), microP, scale: 1.5 });
    w.emit(t, id, 'burst-farm', p, req, ident, { canonical: scripted && r.chance(0.8), base });
  }
}

function genSlowRing(w: World, id: string, n: number): void {
  const r = w.rng;
  const devices = [w.phoneDevice(), r.chance(0.5) ? w.phoneDevice() : w.webDevice()];
  const accounts = [w.bankAccount(), w.bankAccount()];
  const home = w.city();
  const cities = r.chance(0.5) ? [home] : [home, w.city()];
  const oneEmployer = r.chance(0.5) ? r.weighted(BIG_EMPLOYER_WEIGHTS) : undefined;
  const stolen = victims(w, r.chance(0.35) ? 1 : 0);
  const span = r.int(60, 90);
  const startDay = r.int(0, DAYS - span - 1);
  const offsets = Array.from({ length: n }, () => r.next() * span).sort((a, b) => a - b);
  offsets.forEach((off, i) => {
    const city = r.pick(cities);
    const employer = oneEmployer ?? r.weighted(BIG_EMPLOYER_WEIGHTS);
    const victim = stolen[i];
    const p = ringPerson(w, city, { weak: 0.22, employer, ...(victim ? { victim } : {}) });
    const day = startDay + Math.floor(off);
    const t = clamp(at(day, r.int(9, 21) + r.next()), FIRST, END - 1000);
    // Each member is otherwise distinct; the ring rotates two phones (devices) and pays out to two accounts.
    const ident: Ident = {
      nationalId: p.nationalId,
      phone: p.mobile,
      deviceId: devices[i < 2 ? i : r.int(0, 1)] ?? p.phoneDevice,
      ip: w.carrierIp(p.city.region),
      email: p.email,
      address: p.address,
      bankAccount: accounts[i < 2 ? i : r.int(0, 1)] ?? p.bankAccount,
      employer,
    };
    const req = makeRequest(r, { weak: p.weak, age: ageAt(p.birth, t), microP: 0.1, scale: 1.5 });
    w.emit(t, id, 'slow-ring', p, req, ident);
  });
}

function genMuleCollector(w: World, id: string, n: number): void {
  const r = w.rng;
  const domain = r.pick(['163.com', '126.com', 'sina.com', 'outlook.com', 'hotmail.com', 'yeah.net', 'gmail.com']);
  // One payout account per 4-6 recruits.
  const fewest = Math.max(1, Math.ceil(n / 6));
  const most = Math.floor(n / 4);
  const groupCount = most >= fewest ? r.int(fewest, most) : fewest;
  const accounts = Array.from({ length: groupCount }, () => w.bankAccount());
  const home = w.city();
  const span = r.int(10, 40);
  const startDay = r.int(0, DAYS - span - 1);
  const viaKiosk = r.chance(0.35) && w.kiosks.length > 0 ? r.int(1, 2) : 0;
  const stolen = victims(w, r.weighted(MULE_STOLEN));
  const order = r.shuffle(Array.from({ length: n }, (_, i) => i));
  for (let i = 0; i < n; i++) {
    const city = r.chance(0.7) ? home : w.city();
    const victim = stolen[i];
    const p = ringPerson(w, city, { weak: 0.3, ...(victim ? { victim } : {}) });
    const email = w.email(p.surname, p.given, p.birth, 'mule', domain);
    const t = w.online.sample(r, START + startDay * DAY, START + (startDay + span) * DAY);
    const kiosk = (order[i] ?? 0) < viaKiosk ? r.pick(w.kiosks) : undefined;
    const ident: Ident = { nationalId: p.nationalId, phone: p.mobile, email, address: p.address, bankAccount: accounts[Math.min(groupCount - 1, Math.floor((i * groupCount) / n))] ?? p.bankAccount };
    if (kiosk) {
      ident.deviceId = kiosk.device;
      ident.ip = kiosk.ip;
    } else {
      ident.deviceId = r.chance(0.75) ? p.phoneDevice : w.webDeviceOf(p);
      ident.ip = r.chance(0.55) ? w.carrierIp(p.city.region) : p.homeIp;
    }
    if (p.employer !== undefined && r.chance(0.85)) ident.employer = p.employer;
    const tk = kiosk ? w.branch.sample(r, START + startDay * DAY, START + (startDay + span + 3) * DAY) : t;
    const req = makeRequest(r, { weak: p.weak, age: ageAt(p.birth, tk), microP: 0.3, scale: 1.4 });
    w.emit(tk, id, 'mule-collector', p, req, ident, { ...(kiosk ? { systemDevice: true, region: kiosk.city.region } : {}) });
  }
}

// ---------------------------------------------------------------------------------------------
// Assembly
// ---------------------------------------------------------------------------------------------

function planRings(r: Rng, size: number): { shape: RingShape; n: number }[] {
  const budget = Math.round(size * (RING_SHARE_MIN + r.next() * (RING_SHARE_MAX - RING_SHARE_MIN)));
  const plan: { shape: RingShape; n: number }[] = [];
  let used = 0;
  const order: RingShape[] = ['slow-ring', 'mule-collector', 'burst-farm'];
  for (let round = 0; round < 2; round++) {
    for (const shape of order) {
      let n = sizeFor(r, shape);
      if (shape === 'mule-collector') n = Math.min(n, 18);
      if (used + n > budget && size < 2000) {
        if (budget - used >= MIN_SIZE[shape]) n = budget - used;
        else continue;
      }
      plan.push({ shape, n });
      used += n;
    }
  }
  for (let guard = 0; guard < 1000 && budget - used >= 4; guard++) {
    const shape = r.weighted(EXTRA_RING_SHAPES);
    let n = sizeFor(r, shape);
    if (n > budget - used) {
      if (budget - used < MIN_SIZE[shape]) continue;
      n = budget - used;
    }
    plan.push({ shape, n });
    used += n;
  }
  return plan;
}

function fill(r: Rng, target: number, min: number, max: number): number[] {
  const out: number[] = [];
  let left = target;
  while (left >= min) {
    const n = Math.min(left, r.int(min, max));
    if (left - n > 0 && left - n < min && left <= max) {
      out.push(left);
      break;
    }
    out.push(n);
    left -= n;
  }
  return out;
}

function generate(options: { readonly seed: number; readonly size?: number }): Population {
  const size = Math.max(50, Math.round(options.size ?? DEFAULT_SIZE));
  const w = new World(options.seed, size);
  const r = w.rng;

  const rings = planRings(r, size);
  const ringTotal = rings.reduce((a, x) => a + x.n, 0);
  const legit = size - ringTotal;

  makeKiosks(w, size);
  const households = fill(r, Math.round(legit * LEGIT_SHARES.household), 2, 3);
  const offices = fill(r, Math.round(legit * LEGIT_SHARES['office-network']), 5, 20);
  const refinancers = fill(r, Math.round(legit * LEGIT_SHARES.refinancer), 2, 3);
  const dorms = fill(r, Math.round(legit * LEGIT_SHARES['student-dorm']), 10, 20);
  const kioskApps = Math.round(legit * LEGIT_SHARES['branch-kiosk']);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const singles = legit - sum(households) - sum(offices) - sum(refinancers) - sum(dorms) - kioskApps;

  // Interleave structure creation so that hub addresses and victims come from across the book.
  // Jobs are [structure, group size] pairs.
  const jobs: (readonly [Structure, number])[] = [];
  for (let i = 0; i < singles; i++) jobs.push(['single', 1]);
  for (const n of households) jobs.push(['household', n]);
  for (const n of offices) jobs.push(['office-network', n]);
  for (const n of refinancers) jobs.push(['refinancer', n]);
  for (const n of dorms) jobs.push(['student-dorm', n]);
  for (let i = 0; i < kioskApps; i++) jobs.push(['branch-kiosk', 1]);
  const kioskWeights = w.kiosks.map((k) => [k, 0.5 + r.next()] as const);
  r.shuffle(jobs);
  for (const [structure, n] of jobs) {
    switch (structure) {
      case 'single': genSingle(w); break;
      case 'household': genHousehold(w, n); break;
      case 'office-network': genOffice(w, n); break;
      case 'refinancer': genRefinancer(w, n); break;
      case 'student-dorm': genDorm(w, n); break;
      case 'branch-kiosk': genKioskApplicant(w, r.weighted(kioskWeights)); break;
    }
  }

  rings.forEach(({ shape, n }, i) => {
    const id = `backfill-${shape}-${String(i + 1).padStart(2, '0')}`;
    if (shape === 'burst-farm') genBurstFarm(w, id, n);
    else if (shape === 'slow-ring') genSlowRing(w, id, n);
    else genMuleCollector(w, id, n);
  });

  const sorted = [...w.drafts].sort((a, b) => a.t - b.t || a.order - b.order);
  const members: PopulationMember[] = sorted.map((d, i) => {
    const local = new Date(d.t + 8 * HOUR);
    const ymd = `${local.getUTCFullYear()}${String(local.getUTCMonth() + 1).padStart(2, '0')}${String(local.getUTCDate()).padStart(2, '0')}`;
    // Two origination systems: the legacy one before the cut-over, the current one after.
    const applicationId = dayOf(d.t) < CUTOVER_DAY ? `LGC${ymd}${String(i + 1).padStart(7, '0')}` : `LN-${ymd}-${String(i + 1).padStart(6, '0')}`;
    const application: Application = {
      applicationId,
      product: d.req.product,
      region: d.region,
      amount: d.req.amount,
      termMonths: d.req.termMonths,
      applicant: d.applicant,
      ...(Object.keys(d.ids).length > 0 ? { identifiers: d.ids } : {}),
    };
    return { application, submittedAt: d.t, ring: d.ring, kind: d.kind };
  });
  return { generator: 'backfill', seed: options.seed, members };
}

export const generator: PopulationGenerator = {
  name: 'backfill',
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT_STRUCTURES,
  generate,
};
