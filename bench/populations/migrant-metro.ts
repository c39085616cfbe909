// Synthetic population "migrant-metro": mobile-first consumer lending in Chinese megacities over
// 13 weeks (2025-03-03 .. 2025-06-01, China Standard Time), with many migrant workers.
//
// Legitimate people share identifiers the way city life makes them: families share an address,
// the home wifi, a landline, a tablet or a payout account; factory dormitories share an address,
// a wifi egress IP and an employer and apply in referral waves; phone shops and car dealers key in
// customers' applications on the shop tablet; people re-apply after a decline; family businesses
// pay out into the business account; carriers recycle phone numbers; strangers share carrier-grade
// NAT egress IPs, urban-village building addresses, branch networks and big employers.
//
// Fraud rings: device farms (emulators, proxies, SIM batches, mule accounts, night bursts), mule
// recruitment (real young people coached into applying, payouts to the recruiter's accounts,
// a shell employer), stolen identities (real people's national ids and addresses with the ring's
// burner phones and devices, slow cadence) and loan stacking (a crew of friends applying again
// and again within a few days with rotated phones and a shared device).
//
// Written without reference to the detector or the other generators (see types.ts).
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------------------------------------
// Parameters of this generator

/** Share of legitimate applicants whose credit profile is weak (a poor credit risk). */
const WEAK_SHARE = 0.22;
/** Share of applications that belong to fraud rings. */
const RING_SHARE = 0.045;
const DEFAULT_SIZE = 3000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;
/** 2025-03-03 00:00 China Standard Time (UTC+8), a Monday. */
const START = Date.UTC(2025, 2, 3) - 8 * HOUR;
const SPAN_DAYS = 91;
const END = START + SPAN_DAYS * DAY;

const LEGIT_SHARES = {
  household: 0.17,
  dormitory: 0.08,
  'agent-assisted': 0.08,
  'repeat-applicant': 0.06,
  'family-business': 0.035,
  'recycled-number': 0.015,
} as const;
const LEGITIMATE_STRUCTURES = ['single', 'household', 'dormitory', 'agent-assisted', 'repeat-applicant', 'family-business', 'recycled-number'] as const;
const RING_SHAPES = ['device-farm', 'mule-recruitment', 'stolen-identity', 'loan-stacking'] as const;
type RingShape = (typeof RING_SHAPES)[number];
const RING_SIZES: Record<RingShape, readonly [number, number]> = {
  'device-farm': [8, 30],
  'mule-recruitment': [5, 18],
  'stolen-identity': [4, 12],
  'loan-stacking': [4, 12],
};

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (sfc32 seeded by splitmix32)

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = Math.trunc(seed) >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** An integer in [lo, hi], skewed towards lo. */
  intLow(lo: number, hi: number, power = 1.6): number {
    return lo + Math.floor(Math.pow(this.next(), power) * (hi - lo + 1));
  }
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    const v = xs[Math.floor(this.next() * xs.length)];
    if (v === undefined) throw new Error('pick from an empty list');
    return v;
  }
  /** Zipf-like: early entries are picked far more often. */
  skewed<T>(xs: readonly T[], power = 2): T {
    const v = xs[Math.floor(Math.pow(this.next(), power) * xs.length)];
    if (v === undefined) throw new Error('pick from an empty list');
    return v;
  }
  weighted<T>(table: W<T>): T {
    const n = table.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += (table[i] as readonly [T, number])[1];
    let x = this.next() * total;
    for (let i = 0; i < n - 1; i++) {
      const entry = table[i] as readonly [T, number];
      x -= entry[1];
      if (x < 0) return entry[0];
    }
    const last = table[n - 1];
    if (!last) throw new Error('empty weight table');
    return last[0];
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
  digits(n: number): string {
    let s = '';
    while (s.length < n) s += String(Math.floor(this.next() * 1e9)).padStart(9, '0');
    return s.slice(0, n);
  }
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = xs[i] as T;
      xs[i] = xs[j] as T;
      xs[j] = t;
    }
    return xs;
  }
}

type W<T> = readonly (readonly [T, number])[];

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

// ---------------------------------------------------------------------------------------------
// Places, names and number plans

type Region = 'east' | 'north' | 'south' | 'west';
type Product = 'personal_loan' | 'micro_loan';
type Channel = 'app' | 'web' | 'branch';

interface City {
  readonly name: string;
  readonly region: Region;
  readonly districts: readonly string[];
  readonly area: string;
  readonly idCodes: readonly string[];
  readonly weight: number;
}

const CITIES: readonly City[] = [
  { name: 'Shanghai', region: 'east', districts: ['Pudong New District', 'Minhang District', 'Baoshan District', 'Songjiang District'], area: '21', idCodes: ['310115', '310112', '310113', '310117'], weight: 4 },
  { name: 'Hangzhou', region: 'east', districts: ['Xihu District', 'Yuhang District', 'Xiaoshan District'], area: '571', idCodes: ['330106', '330110', '330109'], weight: 2 },
  { name: 'Suzhou', region: 'east', districts: ['Wuzhong District', 'Kunshan', 'Gusu District'], area: '512', idCodes: ['320506', '320583', '320508'], weight: 2 },
  { name: 'Beijing', region: 'north', districts: ['Chaoyang District', 'Haidian District', 'Fengtai District', 'Tongzhou District'], area: '10', idCodes: ['110105', '110108', '110106', '110112'], weight: 4 },
  { name: 'Tianjin', region: 'north', districts: ['Hexi District', 'Binhai New Area', 'Nankai District'], area: '22', idCodes: ['120103', '120116', '120104'], weight: 2 },
  { name: 'Shijiazhuang', region: 'north', districts: ['Yuhua District', 'Qiaoxi District'], area: '311', idCodes: ['130108', '130104'], weight: 1 },
  { name: 'Guangzhou', region: 'south', districts: ['Tianhe District', 'Baiyun District', 'Panyu District'], area: '20', idCodes: ['440106', '440111', '440113'], weight: 3 },
  { name: 'Shenzhen', region: 'south', districts: ['Longhua District', 'Futian District', 'Longgang District', 'Nanshan District'], area: '755', idCodes: ['440309', '440304', '440307', '440305'], weight: 3 },
  { name: 'Dongguan', region: 'south', districts: ['Humen Town', 'Changping Town', 'Songshan Lake'], area: '769', idCodes: ['441900'], weight: 2 },
  { name: 'Xiamen', region: 'south', districts: ['Siming District', 'Huli District'], area: '592', idCodes: ['350203', '350206'], weight: 1 },
  { name: 'Chengdu', region: 'west', districts: ['Wuhou District', 'Jinjiang District', 'Shuangliu District'], area: '28', idCodes: ['510107', '510104', '510116'], weight: 3 },
  { name: 'Chongqing', region: 'west', districts: ['Yubei District', 'Jiangbei District', 'Shapingba District'], area: '23', idCodes: ['500112', '500105', '500106'], weight: 3 },
  { name: 'Xian', region: 'west', districts: ['Yanta District', 'Weiyang District'], area: '29', idCodes: ['610113', '610112'], weight: 2 },
];
const CITY_WEIGHTS: W<City> = CITIES.map((c) => [c, c.weight] as const);
const REGIONS: readonly Region[] = ['east', 'north', 'south', 'west'];
const CITIES_IN: Record<Region, readonly City[]> = {
  east: CITIES.filter((c) => c.region === 'east'),
  north: CITIES.filter((c) => c.region === 'north'),
  south: CITIES.filter((c) => c.region === 'south'),
  west: CITIES.filter((c) => c.region === 'west'),
};

/** Home-county codes of provinces that send many migrant workers. */
const SENDING_ID_CODES = ['410102', '411323', '412726', '410521', '510922', '511321', '513030', '430521', '431126', '340321', '341222', '450881', '520221', '360731', '362330', '420821', '130421'];

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Gao', 'Luo', 'Zheng', 'Liang', 'Xie', 'Song', 'Tang', 'Han', 'Feng', 'Deng', 'Cao', 'Peng'];
const GIVEN_M = ['Wei', 'Qiang', 'Lei', 'Jun', 'Yong', 'Jie', 'Tao', 'Ming', 'Chao', 'Hao', 'Bo', 'Peng', 'Gang', 'Hui', 'Jian', 'Xin', 'Yu', 'Long', 'Fei', 'Kai', 'Zhiqiang', 'Jianguo', 'Haoran', 'Zihao', 'Yuxuan'];
const GIVEN_F = ['Fang', 'Na', 'Min', 'Jing', 'Li', 'Yan', 'Xiu', 'Ting', 'Hong', 'Juan', 'Xia', 'Ling', 'Yun', 'Lan', 'Mei', 'Qian', 'Xue', 'Dan', 'Yue', 'Hui', 'Xiaoyan', 'Guiying', 'Yuting', 'Zixuan', 'Shuang'];
const NICKNAMES = ['sunny', 'happy', 'lucky', 'angel', 'tiger', 'kevin', 'coco', 'lily', 'jack', 'amy', 'leo', 'rainbow', 'xiaobai', 'dragon', 'panda', 'star', 'candy', 'momo', 'apple', 'summer'];
const ROADS = ['Renmin', 'Zhongshan', 'Jiefang', 'Jianshe', 'Heping', 'Xinhua', 'Chaoyang', 'Wenhua', 'Dongfeng', 'Changjiang', 'Huanghe', 'Binhe', 'Keji', 'Chuangye', 'Xingfu', 'Guangming', 'Fuqiang', 'Shiji', 'Yingbin', 'Huaxia', 'Minzhu', 'Tiyu', 'Gongye', 'Xueyuan', 'Jinqiao'];
const ROAD_TYPES = ['Road', 'Street', 'Avenue', 'Road', 'Road', 'Middle Road', 'North Road', 'East Road'];
const COMPLEXES = ['Jinxiu', 'Lvdi', 'Wanke', 'Bihai', 'Yijing', 'Hongfu', 'Longhu', 'Baoli', 'Zhonghai', 'Xinyuan', 'Taoyuan', 'Yuhua', 'Huafu', 'Ruijing', 'Shimao', 'Lanting', 'Meili', 'Xiangshan', 'Jiahe', 'Tianyi'];
const COMPLEX_TYPES = ['Garden', 'Residence', 'Community', 'Apartments', 'Huayuan', 'New Village', 'Court'];
const VILLAGES = ['Shangsha', 'Xiasha', 'Baishizhou', 'Tangxia', 'Shipai', 'Xian Village', 'Dongba', 'Beiyuan', 'Tangjialing', 'Jiuxianqiao', 'Shuangqiao', 'Huangjueping', 'Jiulidi', 'Yuzhu'];
const TRADES = ['Trading', 'Technology', 'Logistics', 'Catering Management', 'Construction Engineering', 'Garment', 'Property Management', 'Auto Parts', 'Decoration Engineering', 'Information Technology', 'Food', 'Pharmaceutical', 'Education Consulting', 'Printing', 'Hardware', 'Electrical Equipment', 'Furniture', 'Advertising', 'Human Resources', 'Security Services'];
const BRANDS = ['Ruixin', 'Hengda', 'Jiahe', 'Xinda', 'Huamei', 'Tianrun', 'Boyuan', 'Shengtai', 'Yongxing', 'Dingsheng', 'Jinhui', 'Hongyun', 'Zhongcheng', 'Kaida', 'Huitong', 'Lianchuang', 'Xingwang', 'Anda', 'Minghua', 'Fuxing', 'Haoyun', 'Zhengda', 'Baisheng', 'Chuangyi', 'Weilai'];
const SHOP_TRADES = ['Hotpot Restaurant', 'Noodle House', 'Hardware Store', 'Convenience Store', 'Tea House', 'Auto Repair Shop', 'Fruit Shop', 'Hair Salon', 'Mobile Phone Shop', 'Tailor Shop', 'Bakery', 'Printing Shop'];

const MOBILE_PREFIXES = ['130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157', '158', '159', '166', '173', '175', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '198', '199'];
const CGNAT_PREFIXES: Record<Region, readonly string[]> = {
  east: ['117.136', '223.104', '112.64'],
  north: ['111.196', '123.120', '114.244'],
  south: ['120.229', '223.73', '112.97'],
  west: ['171.88', '182.144', '223.87'],
};
const BROADBAND_PREFIXES: Record<Region, readonly string[]> = {
  east: ['180.165', '58.247', '101.86', '114.86'],
  north: ['123.113', '221.216', '124.64', '111.194'],
  south: ['113.88', '183.37', '14.150', '116.24'],
  west: ['171.221', '182.150', '125.69', '118.113'],
};
const DATACENTER_PREFIXES = ['47.92', '39.105', '119.29', '106.75', '8.218', '103.151', '45.207'];
const IPV6_PREFIXES = ['2409:8a55', '2409:891e', '240e:3b7', '240e:47c', '2408:8456', '2408:8215'];
const BANK_BINS: W<readonly [string, number]> = [
  [['622202', 19], 5], [['621700', 19], 4], [['622848', 19], 4], [['621483', 16], 2], [['622588', 16], 2],
  [['601382', 19], 3], [['622262', 19], 2], [['623668', 19], 1], [['621226', 19], 2], [['622908', 16], 1],
];
const EMAIL_PATTERNS: W<number> = [[0, 2], [1, 1], [2, 2], [3, 1], [4, 2], [5, 1], [6, 1]];
const EMAIL_DOMAINS: W<string> = [['qq.com', 38], ['163.com', 24], ['126.com', 8], ['sina.com', 3], ['foxmail.com', 5], ['gmail.com', 5], ['outlook.com', 5], ['icloud.com', 9], ['139.com', 3]];

// ---------------------------------------------------------------------------------------------
// Canonical identifier values (rendered with spelling variation at the end)

interface Phone {
  /** Mobile: 11 digits. Landline: area code + local number (no trunk 0). */
  readonly national: string;
  readonly area?: string;
}
interface Device {
  readonly id: string;
  readonly os: 'android' | 'ios' | 'web';
}
interface Address {
  readonly parts: readonly string[];
}
interface Employer {
  readonly base: string;
  readonly company: boolean;
}
interface Ids {
  nationalId?: string;
  phone?: Phone;
  deviceId?: Device;
  ip?: string;
  email?: string;
  address?: Address;
  bankAccount?: string;
  employer?: Employer;
}

interface Profile {
  personalStatusSex: string;
  employmentDuration: string;
  job: string;
  housing: string;
  property: string;
  savingsAccountBonds: string;
  checkingAccountStatus: string;
  creditHistory: string;
  residenceYears: number;
  dependents: number;
  hasTelephone: boolean;
  foreignWorker: boolean;
  otherDebtorsGuarantors: string;
  otherInstallmentPlans: string;
  existingCredits: number;
}

interface Person {
  readonly sex: 'm' | 'f';
  /** Birth date, epoch ms (UTC midnight). */
  readonly birth: number;
  readonly surname: string;
  readonly given: string;
  readonly city: City;
  readonly migrant: boolean;
  readonly weak: boolean;
  nationalId: string;
  phone: Phone;
  email: string | undefined;
  device: Device;
  /** The browser fingerprint, made when first used. */
  webDevice?: Device;
  ipv6: string | undefined;
  homeIp: string | undefined;
  address: Address;
  bankAccount: string | undefined;
  employer: Employer | undefined;
  officeIp: string | undefined;
  profile: Profile;
  /** Rough monthly income in CNY (drives the instalment band). */
  income: number;
}

interface Loan {
  product: Product;
  purpose: string;
  amount: number;
  termMonths: number;
}

interface Draft {
  readonly t: number;
  readonly order: number;
  readonly kind: string;
  readonly ring: string | null;
  readonly region: Region;
  readonly loan: Loan;
  readonly applicant: Applicant;
  readonly ids: Ids;
}

interface HubEmployer {
  readonly employer: Employer;
  readonly city: City;
  readonly officeIp: string;
  readonly factory: boolean;
  readonly campus: Address;
}

// ---------------------------------------------------------------------------------------------
// Calendar

interface DayInfo {
  readonly weekday: number;
  readonly dom: number;
}
const DAYS: readonly DayInfo[] = Array.from({ length: SPAN_DAYS }, (_, d) => {
  const date = new Date(Date.UTC(2025, 2, 3 + d));
  return { weekday: date.getUTCDay(), dom: date.getUTCDate() };
});
const APP_HOURS = [0.5, 0.3, 0.18, 0.12, 0.1, 0.2, 0.5, 1, 1.6, 2.2, 2.6, 2.6, 2.3, 2.2, 2.3, 2.3, 2.2, 2.1, 2.2, 2.6, 3, 3.1, 2.6, 1.4];
const WEB_HOURS = [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.8, 2.8, 3, 2.8, 2, 2.4, 2.8, 2.8, 2.6, 2, 1.6, 1.8, 2, 1.8, 1.2, 0.6];
const BRANCH_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 3, 1.5, 1.5, 3, 3, 2.5, 1, 0, 0, 0, 0, 0, 0];
const SHOP_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 1.5, 2, 2, 2, 2, 2.2, 2.2, 2, 2.2, 2.5, 2.3, 1.2, 0, 0];

function cumulative(weights: readonly number[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const w of weights) out.push((s += w));
  return out;
}
function pickIndex(rng: Rng, cum: readonly number[]): number {
  const total = cum[cum.length - 1] ?? 0;
  const x = rng.next() * total;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cum[mid] ?? 0) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
const DAY_CUM = cumulative(DAYS.map((d) => (d.weekday === 0 ? 0.72 : d.weekday === 6 ? 0.82 : 1) * (d.dom >= 8 && d.dom <= 12 ? 1.12 : 1) * (d.dom >= 25 ? 1.08 : 1)));
const BRANCH_DAY_CUM = cumulative(DAYS.map((d) => (d.weekday === 0 ? 0.15 : d.weekday === 6 ? 0.5 : 1)));
const SHOP_DAY_CUM = cumulative(DAYS.map((d) => (d.weekday === 0 || d.weekday === 6 ? 1.6 : 1)));
const HOUR_CUM: Record<Channel | 'shop', number[]> = { app: cumulative(APP_HOURS), web: cumulative(WEB_HOURS), branch: cumulative(BRANCH_HOURS), shop: cumulative(SHOP_HOURS) };

function timeOn(rng: Rng, day: number, mode: Channel | 'shop'): number {
  const hour = pickIndex(rng, HOUR_CUM[mode]);
  return START + day * DAY + hour * HOUR + Math.floor(rng.next() * HOUR);
}
function randomTime(rng: Rng, mode: Channel | 'shop'): number {
  const cum = mode === 'branch' ? BRANCH_DAY_CUM : mode === 'shop' ? SHOP_DAY_CUM : DAY_CUM;
  return timeOn(rng, pickIndex(rng, cum), mode);
}
function inSpan(t: number): number {
  return clamp(Math.round(t), START, END - 1);
}

// Weight tables (module constants so they are not rebuilt on every draw).
const MIGRANT_HOUSING: W<string> = [['rent', 0.62], ['for_free', 0.26], ['own', 0.12]];
const YOUNG_HOUSING: W<string> = [['for_free', 0.45], ['rent', 0.4], ['own', 0.15]];
const OWNER_PROPERTY: W<string> = [['real_estate', 0.5], ['insurance', 0.2], ['car_other', 0.25], ['unknown', 0.05]];
const OWNER_RESIDENCE: W<number> = [[1, 0.08], [2, 0.22], [3, 0.2], [4, 0.5]];
const MIGRANT_RESIDENCE: W<number> = [[1, 0.3], [2, 0.4], [3, 0.15], [4, 0.15]];
const RENTER_RESIDENCE: W<number> = [[1, 0.15], [2, 0.35], [3, 0.2], [4, 0.3]];
const OTHER_DEBTORS: W<string> = [['none', 0.91], ['guarantor', 0.05], ['co_applicant', 0.04]];
const TERMS_UNDER_2000: W<number> = [[6, 0.25], [12, 0.45], [18, 0.15], [24, 0.15]];
const TERMS_UNDER_6000: W<number> = [[6, 0.05], [12, 0.25], [18, 0.15], [24, 0.3], [36, 0.2], [48, 0.05]];
const TERMS_UNDER_12000: W<number> = [[12, 0.1], [24, 0.25], [36, 0.3], [48, 0.18], [60, 0.12], [72, 0.05]];
const TERMS_LARGE: W<number> = [[24, 0.15], [36, 0.3], [48, 0.22], [60, 0.23], [72, 0.1]];
const ADDRESS_SEPARATORS: W<string> = [[', ', 0.55], [',', 0.15], [' ', 0.25], ['; ', 0.05]];
const COMPANY_SUFFIXES: W<string> = [['Co., Ltd.', 0.42], ['Co.,Ltd.', 0.2], ['Co. Ltd', 0.1], ['CO., LTD.', 0.1], ['Co Ltd', 0.1], ['co.,ltd', 0.08]];
const MIGRANT_FAMILY_HOUSING: W<string> = [['rent', 0.8], ['own', 0.2]];
const DORM_REGIONS: W<Region> = [['south', 0.45], ['east', 0.25], ['west', 0.18], ['north', 0.12]];
const SHOP_TYPES: W<'electronics' | 'cars' | 'furniture'> = [['electronics', 0.5], ['cars', 0.25], ['furniture', 0.25]];
const FARM_IP_MODES: W<'datacenter' | 'mobile-proxy' | 'home'> = [['datacenter', 0.35], ['mobile-proxy', 0.45], ['home', 0.2]];
const HOUSEHOLD_SIZES: W<number> = [[2, 0.55], [3, 0.3], [4, 0.15]];
const HOUSING_WEAK: W<string> = [['own', 0.5], ['rent', 0.36], ['for_free', 0.14]];
const HOUSING_STRONG: W<string> = [['own', 0.72], ['rent', 0.2], ['for_free', 0.08]];
const RENTER_PROPERTY_WEAK: W<string> = [['unknown', 0.3], ['car_other', 0.35], ['insurance', 0.25], ['real_estate', 0.1]];
const RENTER_PROPERTY_STRONG: W<string> = [['car_other', 0.42], ['insurance', 0.3], ['unknown', 0.14], ['real_estate', 0.14]];
const EXISTING_CREDITS_WEAK: W<number> = [[1, 0.55], [2, 0.37], [3, 0.06], [4, 0.02]];
const EXISTING_CREDITS_STRONG: W<number> = [[1, 0.64], [2, 0.33], [3, 0.025], [4, 0.005]];
const OTHER_PLANS_WEAK: W<string> = [['none', 0.7], ['bank', 0.19], ['stores', 0.11]];
const OTHER_PLANS_STRONG: W<string> = [['none', 0.88], ['bank', 0.08], ['stores', 0.04]];
const MICRO_TERMS_SMALL: W<number> = [[3, 0.35], [6, 0.4], [9, 0.05], [12, 0.2]];
const MICRO_TERMS_USUAL: W<number> = [[3, 0.12], [6, 0.28], [9, 0.08], [12, 0.32], [18, 0.09], [24, 0.11]];
const CHANNELS_OLDER: W<Channel> = [['app', 0.4], ['web', 0.2], ['branch', 0.4]];
const CHANNELS: W<Channel> = [['app', 0.72], ['web', 0.17], ['branch', 0.11]];
const FAMILY_HOUSING_WEAK: W<string> = [['own', 0.55], ['rent', 0.45]];
const FAMILY_HOUSING_STRONG: W<string> = [['own', 0.78], ['rent', 0.22]];
const JOBS_WEAK: W<string> = [['skilled_employee', 0.6], ['unskilled_resident', 0.3], ['management_self_emp_highly_qualified', 0.07], ['unemployed_unskilled', 0.03]];
const JOBS_STRONG: W<string> = [['skilled_employee', 0.64], ['unskilled_resident', 0.19], ['management_self_emp_highly_qualified', 0.16], ['unemployed_unskilled', 0.01]];
const LANDLINE_FORMATS: W<number> = [[0, 0.42], [1, 0.15], [2, 0.1], [3, 0.15], [4, 0.06], [5, 0.07], [6, 0.05]];
const MOBILE_FORMATS: W<number> = [[0, 0.44], [1, 0.12], [2, 0.06], [3, 0.1], [4, 0.1], [5, 0.04], [6, 0.03], [7, 0.04], [8, 0.03], [9, 0.03], [10, 0.01]];

// ---------------------------------------------------------------------------------------------
// Credit profiles

const CHECKING: Record<'strong' | 'weak', W<string>> = {
  strong: [['none', 0.76], ['gt_200', 0.12], ['0_to_200', 0.09], ['lt_0', 0.03]],
  weak: [['lt_0', 0.46], ['0_to_200', 0.36], ['none', 0.13], ['gt_200', 0.05]],
};
const HISTORY: Record<'strong' | 'weak', W<string>> = {
  strong: [['paid_duly', 0.48], ['critical', 0.42], ['delay', 0.06], ['this_bank_all_paid', 0.02], ['no_credit_all_paid', 0.02]],
  weak: [['paid_duly', 0.47], ['delay', 0.14], ['no_credit_all_paid', 0.14], ['this_bank_all_paid', 0.13], ['critical', 0.12]],
};
const SAVINGS: Record<'strong' | 'weak', W<string>> = {
  strong: [['lt_100', 0.34], ['unknown', 0.28], ['100_to_500', 0.1], ['500_to_1000', 0.1], ['gt_1000', 0.18]],
  weak: [['lt_100', 0.78], ['100_to_500', 0.12], ['unknown', 0.06], ['500_to_1000', 0.02], ['gt_1000', 0.02]],
};
const EMPLOYMENT: Record<'strong' | 'weak', W<string>> = {
  strong: [['1_to_4', 0.3], ['4_to_7', 0.24], ['gt_7', 0.3], ['lt_1', 0.12], ['unemployed', 0.04]],
  weak: [['lt_1', 0.3], ['1_to_4', 0.38], ['gt_7', 0.14], ['4_to_7', 0.1], ['unemployed', 0.08]],
};
const INSTALMENT: Record<'strong' | 'weak', W<number>> = {
  strong: [[1, 0.16], [2, 0.27], [3, 0.17], [4, 0.4]],
  weak: [[1, 0.07], [2, 0.17], [3, 0.16], [4, 0.6]],
};

type EmploymentKind = 'employed' | 'self' | 'unemployed';

interface PersonOptions {
  city?: City;
  region?: Region;
  sex?: 'm' | 'f';
  age?: number;
  ageLo?: number;
  ageHi?: number;
  ageMedian?: number;
  surname?: string;
  weak?: boolean;
  migrant?: boolean;
  married?: boolean;
  employment?: EmploymentKind;
  housing?: string;
  address?: Address;
  employer?: Employer | null;
}

function employmentFor(rng: Rng, age: number, weak: boolean, kind: EmploymentKind): string {
  if (kind === 'unemployed') return 'unemployed';
  let e = rng.weighted(EMPLOYMENT[weak ? 'weak' : 'strong']);
  if (e === 'unemployed') e = kind === 'self' ? '1_to_4' : 'lt_1';
  const maxYears = age - 18;
  if (maxYears < 7 && e === 'gt_7') e = maxYears >= 4 ? '4_to_7' : '1_to_4';
  if (maxYears < 4 && e === '4_to_7') e = '1_to_4';
  if (maxYears < 1) e = 'lt_1';
  return e;
}

function makeProfile(rng: Rng, o: { age: number; sex: 'm' | 'f'; weak: boolean; migrant: boolean; married: boolean | undefined; employment: EmploymentKind; housing: string | undefined }): Profile {
  const q = o.weak ? 'weak' : 'strong';
  const { age } = o;
  const married = o.married ?? (age < 26 ? rng.chance(0.15) : age < 35 ? rng.chance(0.6) : rng.chance(0.8));
  let personalStatusSex: string;
  if (o.sex === 'f') personalStatusSex = 'female_not_single';
  else if (married) personalStatusSex = rng.chance(0.9) ? 'male_married_widowed' : 'male_divorced_seperated';
  else personalStatusSex = age > 32 && rng.chance(0.3) ? 'male_divorced_seperated' : 'male_single';

  const employmentDuration = employmentFor(rng, age, o.weak, o.employment);
  let job: string;
  if (o.employment === 'self') job = rng.chance(0.7) ? 'management_self_emp_highly_qualified' : 'skilled_employee';
  else if (o.employment === 'unemployed') job = rng.chance(0.65) ? 'unemployed_unskilled' : 'unskilled_resident';
  else job = rng.weighted(o.weak ? JOBS_WEAK : JOBS_STRONG);

  const housing = o.housing ?? (o.migrant
    ? rng.weighted(MIGRANT_HOUSING)
    : age < 25
      ? rng.weighted(YOUNG_HOUSING)
      : rng.weighted(o.weak ? HOUSING_WEAK : HOUSING_STRONG));
  const property = housing === 'own'
    ? rng.weighted(OWNER_PROPERTY)
    : rng.weighted(o.weak ? RENTER_PROPERTY_WEAK : RENTER_PROPERTY_STRONG);
  const residenceYears = housing === 'own'
    ? rng.weighted(OWNER_RESIDENCE)
    : o.migrant
      ? rng.weighted(MIGRANT_RESIDENCE)
      : rng.weighted(RENTER_RESIDENCE);
  const dependents = married && age >= 28 && age <= 58 ? (rng.chance(0.3) ? 2 : 1) : rng.chance(0.06) ? 2 : 1;
  const existingCredits = rng.weighted(o.weak ? EXISTING_CREDITS_WEAK : EXISTING_CREDITS_STRONG);
  return {
    personalStatusSex,
    employmentDuration,
    job,
    housing,
    property,
    savingsAccountBonds: rng.weighted(SAVINGS[q]),
    checkingAccountStatus: rng.weighted(CHECKING[q]),
    creditHistory: age < 23 && rng.chance(0.3) ? 'no_credit_all_paid' : rng.weighted(HISTORY[q]),
    residenceYears,
    dependents,
    hasTelephone: rng.chance(housing === 'own' && age > 35 ? 0.58 : 0.33),
    foreignWorker: rng.chance(0.035),
    otherDebtorsGuarantors: rng.weighted(OTHER_DEBTORS),
    otherInstallmentPlans: rng.weighted(o.weak ? OTHER_PLANS_WEAK : OTHER_PLANS_STRONG),
    existingCredits,
  };
}

const INCOME_BY_JOB: Record<string, number> = {
  management_self_emp_highly_qualified: 14000,
  skilled_employee: 7500,
  unskilled_resident: 4800,
  unemployed_unskilled: 2600,
};

// ---------------------------------------------------------------------------------------------
// Loans

const PERSONAL_PURPOSES: W<string> = [['radio_television', 0.19], ['new_car', 0.1], ['used_car', 0.12], ['furniture_equipment', 0.17], ['business', 0.1], ['education', 0.07], ['repairs', 0.06], ['domestic_appliance', 0.04], ['retraining', 0.03], ['other', 0.12]];
const MICRO_PURPOSES: W<string> = [['radio_television', 0.22], ['domestic_appliance', 0.1], ['furniture_equipment', 0.13], ['repairs', 0.12], ['education', 0.08], ['retraining', 0.04], ['business', 0.08], ['other', 0.21], ['used_car', 0.02]];
const PURPOSE_AMOUNT: Record<string, readonly [number, number, number]> = {
  new_car: [12000, 6000, 20000],
  used_car: [6000, 2500, 16000],
  business: [7000, 2000, 20000],
  education: [4500, 1500, 15000],
  furniture_equipment: [2800, 800, 9000],
  radio_television: [1600, 500, 6000],
  domestic_appliance: [1500, 500, 5000],
  repairs: [3000, 800, 10000],
  retraining: [2500, 800, 7000],
  other: [3500, 800, 15000],
};

function personalTerm(rng: Rng, amount: number): number {
  if (amount < 2000) return rng.weighted(TERMS_UNDER_2000);
  if (amount < 6000) return rng.weighted(TERMS_UNDER_6000);
  if (amount < 12000) return rng.weighted(TERMS_UNDER_12000);
  return rng.weighted(TERMS_LARGE);
}
const PERSONAL_TERMS = [6, 12, 18, 24, 36, 48, 60, 72];
const MICRO_TERMS = [3, 6, 9, 12, 18, 24];

interface LoanOptions {
  product?: Product;
  microShare?: number;
  purpose?: string;
  purposes?: W<string>;
  /** Multiplies the typical amount (fraudsters ask near the top, a re-applicant asks for less). */
  amountFactor?: number;
}

function makeLoan(rng: Rng, p: Person, age: number, o: LoanOptions = {}): Loan {
  let product: Product = o.product ?? (rng.chance(o.microShare ?? (age < 25 ? 0.55 : p.migrant ? 0.5 : 0.33)) ? 'micro_loan' : 'personal_loan');
  // Young applicants are mostly steered to the micro product by the app; some apply anyway.
  if (product === 'personal_loan' && age < 21 && o.product === undefined && rng.chance(0.8)) product = 'micro_loan';
  const purpose = o.purpose ?? rng.weighted(o.purposes ?? (product === 'micro_loan' ? MICRO_PURPOSES : PERSONAL_PURPOSES));
  const factor = (o.amountFactor ?? 1) * (p.weak ? 1.12 : 1);
  let amount: number;
  let termMonths: number;
  if (product === 'micro_loan') {
    const median = purpose === 'business' || purpose === 'used_car' ? 1500 : 900;
    let a = clamp(rng.lognormal(median * factor, 0.6), 100, 3000);
    if (rng.chance(0.004)) a = rng.uniform(3100, 5000); // asks above the product maximum
    amount = a;
    amount = amount < 1000 ? Math.round(amount / 50) * 50 : Math.round(amount / 100) * 100;
    amount = Math.max(100, amount);
    termMonths = rng.weighted(amount < 600 ? MICRO_TERMS_SMALL : MICRO_TERMS_USUAL);
    if (p.weak && rng.chance(0.25)) termMonths = MICRO_TERMS[Math.min(MICRO_TERMS.length - 1, MICRO_TERMS.indexOf(termMonths) + 1)] ?? termMonths;
    if (rng.chance(0.003)) termMonths = rng.int(1, 2); // asks below the product minimum
  } else {
    const [median, lo, hi] = PURPOSE_AMOUNT[purpose] ?? [3500, 800, 15000];
    let a = clamp(rng.lognormal(median * factor, 0.5), Math.max(250, lo * 0.6), hi);
    if (rng.chance(0.005)) a = rng.uniform(20000, 40000); // asks above the product maximum
    amount = a < 5000 ? Math.round(a / 100) * 100 : Math.round(a / 500) * 500;
    amount = Math.max(300, amount);
    termMonths = personalTerm(rng, amount);
    if (p.weak && rng.chance(0.3)) termMonths = PERSONAL_TERMS[Math.min(PERSONAL_TERMS.length - 1, PERSONAL_TERMS.indexOf(termMonths) + 1)] ?? termMonths;
  }
  // Nearly everyone picks a term that ends before the product's maximum age at maturity.
  const maxAge = product === 'micro_loan' ? 70 : 75;
  const terms = product === 'micro_loan' ? MICRO_TERMS : PERSONAL_TERMS;
  if (age + termMonths / 12 > maxAge && rng.chance(0.96)) {
    const fitting = terms.filter((m) => age + m / 12 <= maxAge);
    termMonths = fitting.length > 0 ? (fitting[fitting.length - 1] ?? termMonths) : termMonths;
  }
  return { product, purpose, amount, termMonths };
}

function instalmentBand(rng: Rng, p: Person, loan: Loan): number {
  let band = rng.weighted(INSTALMENT[p.weak ? 'weak' : 'strong']);
  const ratio = loan.amount / Math.max(1, loan.termMonths) / p.income;
  if (ratio > 0.15 && band < 4 && rng.chance(0.6)) band += 1;
  if (ratio < 0.03 && band > 1 && rng.chance(0.4)) band -= 1;
  return band;
}

function ageAt(birth: number, t: number): number {
  const b = new Date(birth);
  const d = new Date(t + 8 * HOUR);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) age -= 1;
  return age;
}

// ---------------------------------------------------------------------------------------------
// Identifier rendering: how applicants (and shop staff, and fraudsters) type them

function renderNationalId(rng: Rng, id: string): string {
  const s = id.endsWith('X') && rng.chance(0.3) ? `${id.slice(0, 17)}x` : id;
  const x = rng.next();
  if (x < 0.72) return s;
  if (x < 0.84) return `${s.slice(0, 6)} ${s.slice(6, 14)} ${s.slice(14)}`;
  if (x < 0.89) return `${s.slice(0, 6)}-${s.slice(6, 14)}-${s.slice(14)}`;
  if (x < 0.95) return `${s} `;
  return s.replace(/(.{4})/g, '$1 ').trim();
}

function renderPhone(rng: Rng, p: Phone): string {
  const n = p.national;
  if (p.area !== undefined) {
    const area = p.area;
    const local = n.slice(area.length);
    switch (rng.weighted(LANDLINE_FORMATS)) {
      case 0: return `0${area}-${local}`;
      case 1: return `0${area} ${local.slice(0, local.length - 4)} ${local.slice(-4)}`;
      case 2: return `(0${area}) ${local}`;
      case 3: return `+86 ${area} ${local}`;
      case 4: return `+86-${area}-${local}`;
      case 5: return `0086${area}${local}`;
      default: return `0${area}${local}`;
    }
  }
  const spaced = () => `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
  switch (rng.weighted(MOBILE_FORMATS)) {
    case 0: return n;
    case 1: return spaced();
    case 2: return `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
    case 3: return `+86${n}`;
    case 4: return `+86 ${spaced()}`;
    case 5: return `0086${n}`;
    case 6: return `0086 ${n}`;
    case 7: return `86${n}`;
    case 8: return `+86-${n}`;
    case 9: return `(+86) ${n}`;
    default: return ` ${n}`;
  }
}

function renderDevice(rng: Rng, d: Device): string {
  if (d.os === 'ios') return rng.chance(0.82) ? d.id.toUpperCase() : d.id;
  return rng.chance(0.94) ? d.id : d.id.toUpperCase();
}

function renderIp(rng: Rng, ip: string): string {
  if (ip.includes(':')) return rng.chance(0.9) ? ip : ip.toUpperCase();
  const x = rng.next();
  if (x < 0.93) return ip;
  if (x < 0.98) return `::ffff:${ip}`;
  return ip.split('.').map((o) => o.padStart(3, '0')).join('.');
}

function renderEmail(rng: Rng, e: string): string {
  const x = rng.next();
  if (x < 0.82) return e;
  if (x < 0.9) return e.charAt(0).toUpperCase() + e.slice(1);
  if (x < 0.94) return e.toUpperCase();
  if (x < 0.97) {
    const at = e.indexOf('@');
    return e.slice(0, at) + e.slice(at).toUpperCase();
  }
  return `${e} `;
}

function renderAddress(rng: Rng, a: Address): string {
  const sep = rng.weighted(ADDRESS_SEPARATORS);
  const hash = rng.chance(0.15);
  let s = a.parts.map((p) => (hash && /^Room \d/.test(p) ? p.replace('Room ', 'Room #') : p)).join(sep);
  const x = rng.next();
  if (x < 0.15) s = s.toLowerCase();
  else if (x < 0.24) s = s.toUpperCase();
  if (rng.chance(0.05)) s = s.replace(/ /g, (m) => (rng.chance(0.2) ? '  ' : m));
  if (rng.chance(0.05)) s += '.';
  return s;
}

function renderAccount(rng: Rng, acct: string): string {
  const x = rng.next();
  if (x < 0.55) return acct;
  if (x < 0.85) return acct.replace(/(\d{4})(?=\d)/g, '$1 ');
  if (x < 0.93) return acct.replace(/(\d{4})(?=\d)/g, '$1-');
  return ` ${acct} `;
}

function renderEmployer(rng: Rng, e: Employer): string {
  let base = e.base;
  const x = rng.next();
  if (x < 0.15) base = base.toUpperCase();
  else if (x < 0.27) base = base.toLowerCase();
  else if (x < 0.33) base = base.replace(' ', '  ');
  if (!e.company) return base;
  const suffix = rng.weighted(COMPANY_SUFFIXES);
  return `${base} ${suffix}`;
}

function renderIds(rng: Rng, ids: Ids): RawIdentifiers {
  const out: RawIdentifiers = {};
  if (ids.nationalId !== undefined) out.nationalId = renderNationalId(rng, ids.nationalId);
  if (ids.phone !== undefined) out.phone = renderPhone(rng, ids.phone);
  if (ids.deviceId !== undefined) out.deviceId = renderDevice(rng, ids.deviceId);
  if (ids.ip !== undefined) out.ip = renderIp(rng, ids.ip);
  if (ids.email !== undefined) out.email = renderEmail(rng, ids.email);
  if (ids.address !== undefined) out.address = renderAddress(rng, ids.address);
  if (ids.bankAccount !== undefined) out.bankAccount = renderAccount(rng, ids.bankAccount);
  if (ids.employer !== undefined) out.employer = renderEmployer(rng, ids.employer);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The world: unique-value factories, shared hubs, people and applications

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

class World {
  readonly drafts: Draft[] = [];
  /** People whose identity could be stolen (legitimate applicants in this population). */
  readonly victims: Person[] = [];
  private readonly used = new Set<string>();
  private order = 0;
  readonly carrierIps: Record<Region, string[]>;
  readonly publicWifi: Record<Region, string[]>;
  readonly branchIps: Record<Region, string[]>;
  readonly hubs: Record<Region, HubEmployer[]>;
  readonly gigEmployers: Employer[];
  readonly villages: Map<City, Address[]>;
  readonly hubsByCity = new Map<City, HubEmployer[]>();

  constructor(
    readonly rng: Rng,
    readonly size: number,
  ) {
    const perRegion = Math.max(6, Math.round(size / 110));
    const regionMap = <T>(f: (r: Region) => T): Record<Region, T> => ({ east: f('east'), north: f('north'), south: f('south'), west: f('west') });
    this.carrierIps = regionMap((r) => Array.from({ length: perRegion }, () => this.ipIn(rng.pick(CGNAT_PREFIXES[r]))));
    this.publicWifi = regionMap((r) => Array.from({ length: rng.int(3, 6) }, () => this.ipIn(rng.pick(BROADBAND_PREFIXES[r]))));
    this.branchIps = regionMap(() => Array.from({ length: rng.int(3, 5) }, () => this.ipIn(rng.pick(['210.22', '202.96', '61.152', '218.4']))));
    this.hubs = regionMap((r) => this.makeHubs(r));
    for (const r of REGIONS) for (const h of this.hubs[r]) this.hubsByCity.set(h.city, [...(this.hubsByCity.get(h.city) ?? []), h]);
    this.gigEmployers = [
      { base: 'Kuaisong Express Delivery', company: true },
      { base: 'Meiwei Takeaway Technology', company: true },
      { base: 'Lanjing Ride Hailing Technology', company: true },
    ];
    this.villages = new Map();
    const villagesPerCity = Math.max(1, Math.round(size / 1500));
    for (const city of CITIES) {
      const list: Address[] = [];
      for (let i = 0; i < villagesPerCity + rng.int(0, 1); i++) {
        list.push({ parts: [`Building ${rng.int(1, 40)}`, `Lane ${rng.int(1, 12)}`, `${rng.pick(VILLAGES)} Village`, rng.pick(city.districts), city.name].map((s) => s.replace('Village Village', 'Village')) });
      }
      this.villages.set(city, list);
    }
  }

  private makeHubs(region: Region): HubEmployer[] {
    const rng = this.rng;
    const cities = CITIES_IN[region];
    const names: Record<Region, readonly (readonly [string, boolean, boolean])[]> = {
      east: [['Shanghai Jinqiao Semiconductor', true, true], ['Hangzhou Xinghe E-commerce', true, false], ['Suzhou Hengtai Precision Machinery', true, true], ['Shanghai Sixth People Hospital', false, false], ['State Grid Zhejiang Electric Power', false, false], ['Kunshan Lida Optoelectronics', true, true]],
      north: [['Beijing Zhongguancun Software Park', true, false], ['Tianjin Binhai Auto Parts', true, true], ['Beijing Chaoyang District Education Bureau', false, false], ['Hebei Jidong Cement', true, true], ['Beijing Capital Airport Ground Services', true, false], ['Tianjin Haihe Food Processing', true, true]],
      south: [['Shenzhen Huaxing Precision Electronics', true, true], ['Dongguan Yuda Garment', true, true], ['Guangzhou Baiyun Logistics', true, false], ['Guangdong Provincial People Hospital', false, false], ['Xiamen Haicang Port Services', true, false], ['Dongguan Changping Toys Manufacturing', true, true]],
      west: [['Chengdu Tianfu Software', true, false], ['Chongqing Liangjiang Automobile Parts', true, true], ['West China Hospital of Sichuan University', false, false], ['Xian Qinchuan Electric', true, true], ['Chengdu Shuangliu Airport Services', true, false], ['Chongqing Xiyong Laptop Assembly', true, true]],
    };
    return names[region].map(([base, company, factory]) => {
      const city = cities.find((c) => base.includes(c.name) || (c.name === 'Chengdu' && base.includes('Sichuan')) || (c.name === 'Suzhou' && base.includes('Kunshan'))) ?? rng.pick(cities);
      const campus: Address = { parts: [`${factory ? 'Industrial Park' : 'Tower'} ${rng.int(1, 9)}`, `${rng.int(1, 300)} ${rng.pick(ROADS)} ${rng.pick(ROAD_TYPES)}`, rng.pick(city.districts), city.name] };
      return { employer: { base, company }, city, officeIp: this.ipIn(rng.pick(BROADBAND_PREFIXES[region])), factory, campus };
    });
  }

  // --- unique values -------------------------------------------------------------------------

  private fresh(make: () => string): string {
    for (;;) {
      const v = make();
      if (!this.used.has(v)) {
        this.used.add(v);
        return v;
      }
    }
  }
  ipIn(prefix: string): string {
    const rng = this.rng;
    return this.fresh(() => `${prefix}.${rng.int(0, 255)}.${rng.int(1, 254)}`);
  }
  ipv6(): string {
    const rng = this.rng;
    return this.fresh(() => `${rng.pick(IPV6_PREFIXES)}:${rng.hex(4).replace(/^0+(?=.)/, '')}:${rng.hex(4).replace(/^0+(?=.)/, '')}:${rng.hex(3)}:${rng.hex(4).replace(/^0+(?=.)/, '')}:${rng.hex(4).replace(/^0+(?=.)/, '')}:${rng.hex(4).replace(/^0+(?=.)/, '')}`);
  }
  homeIp(region: Region): string {
    return this.ipIn(this.rng.pick(BROADBAND_PREFIXES[region]));
  }
  datacenterIp(): string {
    return this.ipIn(this.rng.pick(DATACENTER_PREFIXES));
  }
  mobile(prefix?: string): Phone {
    const rng = this.rng;
    return { national: this.fresh(() => (prefix ?? rng.pick(MOBILE_PREFIXES)) + rng.digits(11 - (prefix ?? 'xxx').length)) };
  }
  landline(city: City): Phone {
    const rng = this.rng;
    return { national: this.fresh(() => `${city.area}${rng.int(2, 8)}${rng.digits(7)}`), area: city.area };
  }
  device(os?: 'android' | 'ios'): Device {
    const rng = this.rng;
    const kind = os ?? (rng.chance(0.27) ? 'ios' : 'android');
    if (kind === 'ios') return { id: this.fresh(() => `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.hex(3)}-${rng.hex(12)}`), os: 'ios' };
    return { id: this.fresh(() => rng.hex(16)), os: 'android' };
  }
  webDevice(): Device {
    return { id: this.fresh(() => this.rng.hex(32)), os: 'web' };
  }
  nationalId(code: string, birth: number, sex: 'm' | 'f'): string {
    const rng = this.rng;
    const b = new Date(birth);
    const ymd = `${b.getUTCFullYear()}${String(b.getUTCMonth() + 1).padStart(2, '0')}${String(b.getUTCDate()).padStart(2, '0')}`;
    return this.fresh(() => {
      const seq = `${rng.digits(2)}${rng.pick(sex === 'm' ? ['1', '3', '5', '7', '9'] : ['0', '2', '4', '6', '8'])}`;
      const body = `${code}${ymd}${seq}`;
      let sum = 0;
      for (let i = 0; i < 17; i++) sum += Number(body[i]) * (ID_WEIGHTS[i] ?? 0);
      return body + (ID_CHECK[sum % 11] ?? '0');
    });
  }
  bankAccount(bin?: readonly [string, number]): string {
    const rng = this.rng;
    const [prefix, length] = bin ?? rng.weighted(BANK_BINS);
    return this.fresh(() => {
      const body = prefix + rng.digits(length - prefix.length - 1);
      return body + luhnDigit(body);
    });
  }
  email(surname: string, given: string, birthYear: number): string {
    const rng = this.rng;
    const domain = rng.weighted(EMAIL_DOMAINS);
    return this.fresh(() => {
      const s = surname.toLowerCase();
      const g = given.toLowerCase();
      let local: string;
      if (domain === 'qq.com' || (domain === 'foxmail.com' && rng.chance(0.5))) local = `${rng.int(1, 9)}${rng.digits(rng.int(7, 9))}`;
      else {
        const pattern = rng.weighted(EMAIL_PATTERNS);
        if (pattern === 0) local = `${s}${g}${birthYear}`;
        else if (pattern === 1) local = `${g}${s}${rng.int(1, 99)}`;
        else if (pattern === 2) local = `${s}${g}${rng.digits(3)}`;
        else if (pattern === 3) local = `${s}_${g}${rng.chance(0.5) ? rng.digits(2) : ''}`;
        else if (pattern === 4) local = `${rng.pick(NICKNAMES)}${rng.digits(rng.int(2, 4))}`;
        else if (pattern === 5) local = `${s.charAt(0)}${g}${String(birthYear).slice(2)}${rng.digits(2)}`;
        else local = `${g}.${s}${rng.digits(2)}`;
      }
      return `${local}@${domain}`;
    });
  }
  homeAddress(city: City, migrant: boolean): Address {
    const rng = this.rng;
    const villages = this.villages.get(city) ?? [];
    // Many urban-village tenants give only the building: strangers then share an address.
    if (migrant && villages.length > 0 && rng.chance(0.2)) return rng.pick(villages);
    const key = this.fresh(() => {
      if (migrant && villages.length > 0 && rng.chance(0.3)) return [`Room ${rng.int(1, 7)}0${rng.int(1, 8)}`, ...rng.pick(villages).parts].join('|');
      return [
        `Room ${rng.int(1, 32)}${String(rng.int(1, 6)).padStart(2, '0')}`,
        `Building ${rng.int(1, 24)}`,
        `${rng.pick(COMPLEXES)} ${rng.pick(COMPLEX_TYPES)}`,
        `${rng.int(1, 999)} ${rng.pick(ROADS)} ${rng.pick(ROAD_TYPES)}`,
        rng.pick(city.districts),
        city.name,
      ].join('|');
    });
    return { parts: key.split('|') };
  }
  smallEmployer(city: City): Employer {
    const rng = this.rng;
    return { base: `${rng.chance(0.7) ? `${city.name} ` : ''}${rng.pick(BRANDS)} ${rng.pick(TRADES)}`, company: true };
  }

  // --- people -------------------------------------------------------------------------------

  person(o: PersonOptions = {}): Person {
    const rng = this.rng;
    const city = o.city ?? (o.region ? rng.pick(CITIES_IN[o.region]) : rng.weighted(CITY_WEIGHTS));
    const weak = o.weak ?? rng.chance(WEAK_SHARE);
    const migrant = o.migrant ?? rng.chance(city.name === 'Dongguan' || city.name === 'Shenzhen' ? 0.6 : 0.32);
    const sex = o.sex ?? (rng.chance(0.56) ? 'm' : 'f');
    const median = o.ageMedian ?? (weak ? 29 : 34);
    const age = o.age ?? clamp(Math.round(19 + rng.lognormal(median - 19, 0.5)), o.ageLo ?? 19, o.ageHi ?? 72);
    const birth = Date.UTC(2025 - age, 2, 3) - rng.int(0, 364) * DAY;
    const employment: EmploymentKind = o.employment ?? (rng.chance(weak ? 0.08 : 0.03) ? 'unemployed' : rng.chance(0.12) ? 'self' : 'employed');
    const profile = makeProfile(rng, { age, sex, weak, migrant, married: o.married, employment, housing: o.housing });
    const surname = o.surname ?? rng.skewed(SURNAMES, 1.5);
    const given = rng.pick(sex === 'm' ? GIVEN_M : GIVEN_F);
    const birthYear = new Date(birth).getUTCFullYear();
    let employer: Employer | undefined;
    let officeIp: string | undefined;
    if (o.employer !== undefined) employer = o.employer ?? undefined;
    else if (employment === 'employed') {
      const x = rng.next();
      const hubs = this.hubsByCity.get(city) ?? [];
      if (x < 0.3 && hubs.length > 0) {
        const hub = rng.skewed(hubs, 1.3);
        employer = hub.employer;
        officeIp = hub.officeIp;
      } else if (x < (migrant ? 0.45 : 0.36)) employer = rng.pick(this.gigEmployers);
      else employer = this.smallEmployer(city);
    }
    const profileIncome = (INCOME_BY_JOB[profile.job] ?? 5000) * rng.lognormal(1, 0.4) * (weak ? 0.75 : 1);
    return {
      sex,
      birth,
      surname,
      given,
      city,
      migrant,
      weak,
      nationalId: this.nationalId(migrant ? rng.pick(SENDING_ID_CODES) : rng.pick(city.idCodes), birth, sex),
      phone: this.mobile(),
      email: rng.chance(age > 55 ? 0.55 : 0.88) ? this.email(surname, given, birthYear) : undefined,
      device: this.device(),
      ipv6: rng.chance(0.45) ? this.ipv6() : undefined,
      homeIp: !migrant || rng.chance(0.3) ? this.homeIp(city.region) : undefined,
      address: o.address ?? this.homeAddress(city, migrant),
      bankAccount: rng.chance(0.93) ? this.bankAccount() : undefined,
      employer,
      officeIp,
      profile,
      income: profileIncome,
    };
  }

  /** The IP an app user on their own phone has right now. */
  mobileIp(p: Person): string {
    const rng = this.rng;
    const x = rng.next();
    if (p.homeIp && x < 0.35) return p.homeIp;
    if (p.ipv6 && x < 0.7) return p.ipv6;
    if (x > 0.95) return rng.pick(this.publicWifi[p.city.region]);
    return rng.skewed(this.carrierIps[p.city.region], 1.4);
  }

  channelFor(p: Person, age: number): Channel {
    return this.rng.weighted(age > 55 ? CHANNELS_OLDER : CHANNELS);
  }

  /** The identifiers a person gives on one application through a channel. */
  idsFor(p: Person, channel: Channel): Ids {
    const rng = this.rng;
    const ids: Ids = {};
    if (rng.chance(0.985)) ids.nationalId = p.nationalId;
    if (rng.chance(0.99)) ids.phone = p.phone;
    if (p.email !== undefined && rng.chance(channel === 'branch' ? 0.7 : 0.93)) ids.email = p.email;
    if (channel === 'app') {
      ids.deviceId = p.device;
      ids.ip = this.mobileIp(p);
    } else if (channel === 'web') {
      if (rng.chance(0.55)) ids.deviceId = p.webDevice ??= this.webDevice();
      ids.ip = p.officeIp && rng.chance(0.35) ? p.officeIp : p.homeIp ?? this.mobileIp(p);
    } else {
      ids.ip = rng.pick(this.branchIps[p.city.region]);
    }
    if (rng.chance(0.97)) ids.address = p.address;
    if (p.bankAccount !== undefined && rng.chance(0.92)) ids.bankAccount = p.bankAccount;
    if (p.employer !== undefined && rng.chance(0.9)) ids.employer = p.employer;
    return ids;
  }

  add(p: Person, t: number, kind: string, ring: string | null, ids: Ids, loanOptions: LoanOptions = {}, overrides: Partial<Applicant> = {}, region?: Region): Loan {
    const rng = this.rng;
    const time = inSpan(t);
    const age = ageAt(p.birth, time);
    const loan = makeLoan(rng, p, age, loanOptions);
    const pr = p.profile;
    const applicant: Applicant = {
      age,
      checkingAccountStatus: pr.checkingAccountStatus,
      creditHistory: pr.creditHistory,
      purpose: loan.purpose,
      savingsAccountBonds: pr.savingsAccountBonds,
      employmentDuration: pr.employmentDuration,
      personalStatusSex: pr.personalStatusSex,
      otherDebtorsGuarantors: pr.otherDebtorsGuarantors,
      property: pr.property,
      otherInstallmentPlans: pr.otherInstallmentPlans,
      housing: pr.housing,
      job: pr.job,
      installmentRatePct: instalmentBand(rng, p, loan),
      residenceYears: pr.residenceYears,
      existingCredits: pr.existingCredits,
      dependents: pr.dependents,
      hasTelephone: pr.hasTelephone,
      foreignWorker: pr.foreignWorker,
      ...overrides,
    };
    this.drafts.push({ t: time, order: this.order++, kind, ring, region: region ?? p.city.region, loan, applicant, ids });
    return loan;
  }
}

// ---------------------------------------------------------------------------------------------
// Legitimate structures

function single(w: World): void {
  const rng = w.rng;
  const p = w.person();
  const age = ageAt(p.birth, START);
  const channel = w.channelFor(p, age);
  w.add(p, randomTime(rng, channel), 'single', null, w.idsFor(p, channel));
  if (rng.chance(0.25)) w.victims.push(p);
}

function household(w: World, n: number): void {
  const rng = w.rng;
  const city = rng.weighted(CITY_WEIGHTS);
  const migrant = rng.chance(0.2);
  const headAge = rng.int(27, 62);
  const headSex = rng.chance(0.6) ? 'm' : 'f';
  const weakFamily = rng.chance(WEAK_SHARE);
  const housing = migrant ? rng.weighted(MIGRANT_FAMILY_HOUSING) : rng.weighted(weakFamily ? FAMILY_HOUSING_WEAK : FAMILY_HOUSING_STRONG);
  const head = w.person({ city, age: headAge, sex: headSex, migrant, married: true, weak: weakFamily ? rng.chance(0.75) : rng.chance(0.12), housing });
  const members: Person[] = [head];
  const address = head.address;
  const homeIp = head.homeIp ?? w.homeIp(city.region);
  head.homeIp = homeIp;
  const sameWeak = () => (weakFamily ? rng.chance(0.6) : rng.chance(0.15));
  // Spouse: keeps her or his own surname (the norm in China).
  members.push(w.person({ city, age: clamp(headAge + rng.int(-5, 4), 21, 75), sex: headSex === 'm' ? 'f' : 'm', migrant, married: true, weak: sameWeak(), housing, address }));
  while (members.length < n) {
    if (headAge >= 43 && rng.chance(0.75)) {
      members.push(w.person({ city, age: clamp(headAge - rng.int(22, 30), 19, 40), surname: head.surname, migrant, married: false, weak: rng.chance(weakFamily ? 0.55 : 0.28), housing: 'for_free', address }));
    } else {
      members.push(w.person({ city, age: clamp(headAge + rng.int(24, 30), 50, 80), surname: head.surname, migrant, weak: sameWeak(), housing, address, employment: rng.chance(0.6) ? 'unemployed' : 'self' }));
    }
  }
  const landline = rng.chance(migrant ? 0.08 : 0.3) ? w.landline(city) : undefined;
  const familyDevice = rng.chance(0.25) ? w.device(rng.chance(0.5) ? 'ios' : 'android') : undefined;
  const sharedAccount = rng.chance(0.22) ? head.bankAccount ?? w.bankAccount() : undefined;
  const sharedEmail = members.find((m) => m.email !== undefined && ageAt(m.birth, START) < 45)?.email;
  const sameEmployer = rng.chance(0.1) && head.employer !== undefined;
  const together = rng.chance(0.35);
  const baseDay = pickIndex(rng, DAY_CUM);
  const baseT = Math.min(timeOn(rng, baseDay, 'app'), END - 3 * HOUR);
  for (const [i, m] of members.entries()) {
    m.homeIp = homeIp;
    const age = ageAt(m.birth, START);
    if (landline && (age > 50 || rng.chance(0.2))) m.phone = landline;
    if (sameEmployer && i === 1) m.employer = head.employer;
    if (age > 50 && sharedEmail !== undefined && m.email === undefined && rng.chance(0.5)) m.email = sharedEmail;
    const channel = w.channelFor(m, age);
    const t = together ? baseT + rng.int(0, 150) * MINUTE : rng.chance(0.5) ? randomTime(rng, channel) : timeOn(rng, clamp(baseDay + rng.int(-20, 20), 0, SPAN_DAYS - 1), channel);
    const ids = w.idsFor(m, channel);
    if (channel === 'app') {
      if (familyDevice && (i < 2 || rng.chance(0.5)) && rng.chance(0.7)) ids.deviceId = familyDevice;
      if (together || rng.chance(0.5)) ids.ip = homeIp;
    } else if (channel === 'web' && rng.chance(0.7)) ids.ip = homeIp;
    ids.address = address;
    if (sharedAccount && i > 0 && rng.chance(0.7)) ids.bankAccount = sharedAccount;
    w.add(m, t, 'household', null, ids);
    if (rng.chance(0.2)) w.victims.push(m);
  }
}

function dormitory(w: World, n: number): void {
  const rng = w.rng;
  const region = rng.weighted(DORM_REGIONS);
  const factories = w.hubs[region].filter((h) => h.factory);
  const factory = rng.pick(factories);
  const city = factory.city;
  const building: Address = { parts: [`Dormitory Building ${rng.int(1, 12)}`, ...factory.campus.parts] };
  const wifi = Array.from({ length: rng.int(1, 2) }, () => w.homeIp(region));
  const waveDay = rng.int(0, SPAN_DAYS - 4);
  const waveShare = rng.uniform(0.2, 0.6);
  const rooms: Address[] = [];
  let roomFill = 0;
  const people: Person[] = [];
  for (let i = 0; i < n; i++) {
    if (rooms.length === 0 || roomFill >= rng.int(4, 8)) {
      rooms.push({ parts: [`Room ${rng.int(1, 6)}${String(rng.int(1, 20)).padStart(2, '0')}`, ...building.parts] });
      roomFill = 0;
    }
    roomFill++;
    const room = rooms[rooms.length - 1] ?? building;
    const p = w.person({ city, migrant: true, ageMedian: 26, ageLo: 18, ageHi: 45, housing: 'for_free', employer: factory.employer, address: rng.chance(0.6) ? room : building, employment: 'employed' });
    if (p.profile.job === 'management_self_emp_highly_qualified') p.profile.job = 'skilled_employee';
    people.push(p);
  }
  for (const p of people) {
    const inWave = rng.chance(waveShare);
    const t = inWave ? timeOn(rng, waveDay + rng.int(0, 2), 'app') : randomTime(rng, 'app');
    const ids = w.idsFor(p, 'app');
    if (rng.chance(0.6)) ids.ip = rng.pick(wifi);
    if (rng.chance(0.08)) ids.deviceId = rng.pick(people).device; // used a roommate's phone
    if (rng.chance(0.05)) ids.employer = undefined;
    w.add(p, t, 'dormitory', null, ids, { microShare: 0.75 });
  }
}

function agentAssisted(w: World, n: number): void {
  const rng = w.rng;
  const city = rng.weighted(CITY_WEIGHTS);
  const shopType = rng.weighted(SHOP_TYPES);
  const purposes: W<string> = shopType === 'electronics'
    ? [['radio_television', 0.6], ['domestic_appliance', 0.3], ['other', 0.1]]
    : shopType === 'cars' ? [['used_car', 0.7], ['new_car', 0.3]] : [['furniture_equipment', 0.8], ['domestic_appliance', 0.2]];
  const tablets = Array.from({ length: rng.int(1, 2) }, () => w.device('android'));
  const shopIps = [w.homeIp(city.region), ...(rng.chance(0.3) ? [w.homeIp(city.region)] : [])];
  const clerk = w.person({ city, ageLo: 20, ageHi: 40 });
  for (let i = 0; i < n; i++) {
    const p = w.person({ city });
    const atShop = rng.chance(0.85);
    const ids = w.idsFor(p, 'app');
    if (atShop) {
      ids.deviceId = rng.pick(tablets);
      ids.ip = rng.chance(0.9) ? rng.skewed(shopIps, 2) : w.mobileIp(clerk);
      if (rng.chance(0.08)) ids.phone = clerk.phone; // the salesperson typed their own number
      const e = rng.next();
      if (e < 0.4) delete ids.email;
      else if (e < 0.48 && clerk.email !== undefined) ids.email = clerk.email;
    }
    w.add(p, randomTime(rng, atShop ? 'shop' : 'app'), 'agent-assisted', null, ids, { purposes, product: shopType === 'cars' ? 'personal_loan' : rng.chance(0.45) ? 'micro_loan' : 'personal_loan' });
  }
}

function repeatApplicant(w: World, n: number): void {
  const rng = w.rng;
  const p = w.person({ weak: rng.chance(0.45) });
  const age = ageAt(p.birth, START);
  // When: a first try, then quick retries (minutes to hours) or a new attempt days or weeks later.
  const quick: boolean[] = [false];
  const times = [randomTime(rng, 'app')];
  for (let i = 1; i < n; i++) {
    const q = rng.chance(0.5);
    quick.push(q);
    times.push((times[i - 1] ?? START) + (q ? rng.int(8, 180) * MINUTE : rng.int(1, 30) * DAY + rng.int(-4, 4) * HOUR));
  }
  const overrun = (times[times.length - 1] ?? START) - (END - HOUR);
  if (overrun > 0) for (let i = 0; i < times.length; i++) times[i] = Math.max(START, (times[i] ?? START) - overrun - rng.int(0, 48) * HOUR);
  let channel = w.channelFor(p, age);
  let loan = w.add(p, times[0] ?? START, 'repeat-applicant', null, w.idsFor(p, channel));
  for (let i = 1; i < n; i++) {
    if (!quick[i]) {
      channel = w.channelFor(p, age);
      if (rng.chance(0.15)) p.device = w.device(); // a new phone
      if (rng.chance(0.3)) p.profile.existingCredits = Math.min(4, p.profile.existingCredits + 1);
    }
    const switchProduct = rng.chance(0.35);
    loan = w.add(p, times[i] ?? START, 'repeat-applicant', null, w.idsFor(p, channel), {
      product: switchProduct ? (loan.product === 'personal_loan' ? 'micro_loan' : 'personal_loan') : loan.product,
      purpose: rng.chance(0.8) ? loan.purpose : undefined,
      amountFactor: rng.uniform(0.4, 0.9),
    });
  }
}

function familyBusiness(w: World, n: number): void {
  const rng = w.rng;
  const city = rng.weighted(CITY_WEIGHTS);
  const owner = w.person({ city, ageLo: 30, ageHi: 62, ageMedian: 42, employment: 'self', married: true, employer: null });
  const business: Employer = { base: `${rng.chance(0.5) ? `${city.name} ` : ''}${rng.pick(BRANDS)} ${rng.pick(SHOP_TRADES)}`, company: false };
  const shopAddress: Address = { parts: [`${rng.int(1, 300)} ${rng.pick(ROADS)} ${rng.pick(ROAD_TYPES)}`, rng.pick(city.districts), city.name] };
  const account = w.bankAccount([rng.pick(['622202', '621700', '622848']), 19]);
  const shopIp = w.homeIp(city.region);
  const shopPc = w.webDevice();
  const members: Person[] = [owner];
  for (let i = 1; i < n; i++) {
    const relative = rng.chance(0.6);
    members.push(w.person({ city, surname: relative ? owner.surname : undefined, migrant: !relative && rng.chance(0.6), employment: 'employed', employer: business, ageLo: 19, ageHi: 60 }));
  }
  const baseDay = rng.int(0, SPAN_DAYS - 10);
  for (const [i, m] of members.entries()) {
    const atShop = rng.chance(0.6);
    const channel: Channel = atShop ? 'web' : 'app';
    const ids = w.idsFor(m, channel);
    if (atShop) {
      ids.ip = shopIp;
      if (rng.chance(0.7)) ids.deviceId = shopPc;
      else delete ids.deviceId;
    }
    if (i === 0 && rng.chance(0.5)) ids.employer = business;
    if (rng.chance(i === 0 ? 0.6 : 0.35)) ids.address = shopAddress; // they live above the shop
    if (rng.chance(i === 0 ? 0.8 : 0.45)) ids.bankAccount = account;
    const t = timeOn(rng, clamp(baseDay + rng.intLow(0, 9), 0, SPAN_DAYS - 1), channel);
    w.add(m, t, 'family-business', null, ids, i === 0 || rng.chance(0.5) ? { purpose: 'business', product: rng.chance(0.75) ? 'personal_loan' : 'micro_loan' } : {});
  }
}

function recycledNumber(w: World): void {
  const rng = w.rng;
  const city = rng.weighted(CITY_WEIGHTS);
  const a = w.person({ city });
  const b = w.person({ city });
  b.phone = a.phone; // the carrier re-issued a's cancelled number to b
  const ta = timeOn(rng, rng.int(0, 14), 'app');
  const tb = timeOn(rng, rng.int(70, SPAN_DAYS - 1), 'app');
  for (const [p, t] of [[a, ta], [b, tb]] as const) {
    const ids = w.idsFor(p, 'app');
    ids.phone = p.phone;
    w.add(p, t, 'recycled-number', null, ids);
  }
}

// ---------------------------------------------------------------------------------------------
// Fraud rings

/** Some fraudsters copy one set of answers across all their applications. */
function templated(rng: Rng, p: Person, template: Profile, rate: number): void {
  const fields = ['employmentDuration', 'job', 'housing', 'property', 'savingsAccountBonds', 'checkingAccountStatus', 'creditHistory', 'residenceYears', 'otherInstallmentPlans', 'existingCredits'] as const;
  const target = p.profile as unknown as Record<string, unknown>;
  const source = template as unknown as Record<string, unknown>;
  for (const f of fields) if (rng.chance(rate)) target[f] = source[f];
}

function deviceFarm(w: World, ringId: string, n: number): void {
  const rng = w.rng;
  const region = rng.pick(REGIONS);
  const cities = CITIES_IN[region];
  const devices = Array.from({ length: rng.int(1, 3) }, () => w.device('android'));
  const resetRate = rng.uniform(0, 0.5); // device-id reset tool
  const ipMode = rng.weighted(FARM_IP_MODES);
  const proxies = ipMode === 'datacenter' ? Array.from({ length: rng.int(1, 4) }, () => w.datacenterIp())
    : ipMode === 'mobile-proxy' ? Array.from({ length: rng.int(2, 6) }, () => rng.skewed(w.carrierIps[region], 1.2))
      : [w.homeIp(region)];
  const simPrefix = `${rng.pick(['170', '171', '165', '167', '162', ...MOBILE_PREFIXES.slice(0, 6)])}${rng.digits(4)}`;
  const phoneReuse = rng.uniform(1, 3);
  const phones = Array.from({ length: Math.max(1, Math.round(n / phoneReuse)) }, () => w.mobile(simPrefix));
  const muleAccounts = Array.from({ length: rng.int(1, 4) }, () => w.bankAccount());
  const ownAccountRate = rng.uniform(0, 0.35);
  const dropAddresses = Array.from({ length: rng.int(1, 2) }, () => w.homeAddress(rng.pick(cities), false));
  const addressMode = rng.uniform(0, 1);
  const emailRate = rng.uniform(0.4, 1);
  const template = w.person({ region, weak: false }).profile;
  const templateRate = rng.chance(0.6) ? rng.uniform(0.4, 0.9) : 0;
  const weakRate = rng.uniform(0.1, 0.3);
  const bursts = rng.int(1, 3);
  const gapMinutes = rng.uniform(2, 20);
  const microShare = rng.uniform(0.5, 0.9);
  const amountFactor = rng.uniform(1.1, 1.6);
  const starts = Array.from({ length: bursts }, () => {
    const night = rng.chance(0.6);
    return START + rng.int(0, SPAN_DAYS - 2) * DAY + (night ? rng.uniform(0, 5) : rng.uniform(19, 23)) * HOUR;
  });
  const clocks = [...starts];
  let prev: Person | undefined;
  for (let i = 0; i < n; i++) {
    const b = i % bursts;
    const t = (clocks[b] ?? START) + rng.exp(gapMinutes) * MINUTE;
    clocks[b] = t;
    const city = rng.pick(cities);
    const reuseIdentity = prev !== undefined && rng.chance(0.1);
    const p = reuseIdentity && prev ? prev : w.person({ city, weak: rng.chance(weakRate), migrant: rng.chance(0.5), ageMedian: 30, ageLo: 21, ageHi: 50 });
    if (!reuseIdentity) {
      templated(rng, p, template, templateRate);
      p.phone = rng.pick(phones);
      const a = rng.next();
      if (a < addressMode * 0.5) p.address = rng.pick(dropAddresses);
      else if (a < addressMode * 0.5 + 0.25) {
        const building = rng.pick(w.villages.get(city) ?? [p.address]).parts;
        p.address = { parts: rng.chance(0.5) ? [`Room ${rng.int(1, 7)}0${rng.int(1, 8)}`, ...building] : building };
      }
      const e = rng.next();
      if (e < 0.4) p.employer = rng.pick(w.hubs[region]).employer;
      else if (e < 0.55) p.employer = undefined;
    }
    const device = rng.chance(resetRate) ? w.device('android') : rng.skewed(devices, 1.5);
    const ids: Ids = {
      nationalId: p.nationalId,
      phone: p.phone,
      deviceId: device,
      ip: rng.skewed(proxies, 1.5),
      address: p.address,
      bankAccount: p.bankAccount !== undefined && rng.chance(ownAccountRate) ? p.bankAccount : rng.pick(muleAccounts),
    };
    if (p.email !== undefined && rng.chance(emailRate)) ids.email = p.email;
    if (p.employer !== undefined) ids.employer = p.employer;
    w.add(p, t, 'device-farm', ringId, ids, { microShare, amountFactor }, {}, region);
    prev = p;
  }
}

function muleRecruitment(w: World, ringId: string, n: number): void {
  const rng = w.rng;
  const city = rng.weighted(CITY_WEIGHTS);
  const region = city.region;
  const payout = Array.from({ length: rng.int(1, 3) }, () => w.bankAccount());
  const payoutRate = rng.uniform(0.55, 1);
  const shell: Employer = { base: `${city.name} ${rng.pick(BRANDS)} ${rng.pick(TRADES)}`, company: true };
  const shellRate = rng.uniform(0.35, 0.9);
  const recruiterDevices = Array.from({ length: rng.int(1, 2) }, () => w.device());
  const venueIps = Array.from({ length: rng.int(1, 2) }, () => (rng.chance(0.5) ? rng.pick(w.publicWifi[region]) : w.homeIp(region)));
  const coachRate = rng.uniform(0.15, 0.6);
  const dormAddress: Address = { parts: [`Room ${rng.int(2, 9)}0${rng.int(1, 9)}`, `Building ${rng.int(1, 20)}`, `${rng.pick(COMPLEXES)} ${rng.pick(COMPLEX_TYPES)}`, `${rng.int(1, 600)} ${rng.pick(ROADS)} ${rng.pick(ROAD_TYPES)}`, rng.pick(city.districts), city.name] };
  const dormRate = rng.chance(0.5) ? rng.uniform(0.1, 0.4) : 0;
  const windowDays = rng.int(3, 20);
  const firstDay = rng.int(0, SPAN_DAYS - windowDays - 3);
  const sessions = Array.from({ length: rng.int(2, 5) }, () => START + (firstDay + rng.int(0, windowDays)) * DAY + rng.uniform(10, 21) * HOUR);
  const microShare = rng.uniform(0.4, 0.8);
  let count = 0;
  while (count < n) {
    const p = w.person({ city, ageMedian: 24, ageLo: 19, ageHi: 40, weak: rng.chance(0.45), employment: rng.chance(0.3) ? 'unemployed' : 'employed', migrant: rng.chance(0.5) });
    // The recruiter fills in a job at the shell company for most recruits.
    const claimsShell = rng.chance(shellRate);
    if (claimsShell) {
      p.profile.employmentDuration = rng.pick(['1_to_4', '1_to_4', 'lt_1', '4_to_7']);
      p.profile.job = 'skilled_employee';
    }
    const times = rng.chance(0.15) && n - count >= 2 ? 2 : 1;
    for (let k = 0; k < times; k++) {
      const coached = rng.chance(coachRate);
      const session = rng.pick(sessions);
      const t = session + (coached ? rng.uniform(0, 3) * HOUR : rng.uniform(-1, 48) * HOUR) + k * rng.int(5, 90) * MINUTE;
      const ids = w.idsFor(p, 'app');
      if (coached) {
        ids.deviceId = rng.pick(recruiterDevices);
        ids.ip = rng.pick(venueIps);
      }
      if (claimsShell) ids.employer = shell;
      else if (p.employer === undefined) delete ids.employer;
      if (rng.chance(payoutRate)) ids.bankAccount = rng.pick(payout);
      if (rng.chance(dormRate)) ids.address = dormAddress;
      w.add(p, t, 'mule-recruitment', ringId, ids, { microShare, product: k === 1 ? 'micro_loan' : undefined });
      count++;
    }
  }
}

function stolenIdentity(w: World, ringId: string, n: number): void {
  const rng = w.rng;
  const city = rng.weighted(CITY_WEIGHTS);
  const region = city.region;
  const burners = Array.from({ length: rng.int(1, 3) }, () => w.mobile());
  const devices = Array.from({ length: rng.int(1, 2) }, () => w.device());
  const ips = [w.homeIp(region), ...Array.from({ length: rng.int(0, 2) }, () => rng.skewed(w.carrierIps[region], 1.3))];
  const drops = Array.from({ length: rng.int(1, 2) }, () => w.homeAddress(city, false));
  const victimAddressRate = rng.uniform(0.25, 0.65);
  const muleAccounts = Array.from({ length: rng.int(1, 2) }, () => w.bankAccount());
  const muleRate = rng.uniform(0.3, 0.8);
  const windowDays = rng.int(14, 60);
  const firstDay = rng.int(0, SPAN_DAYS - windowDays - 1);
  const inPopulation = rng.uniform(0.3, 0.8);
  const ringEmail = rng.chance(0.3) ? w.email(rng.pick(SURNAMES), rng.pick(GIVEN_M), 1990) : undefined;
  const used = new Set<Person>();
  for (let i = 0; i < n; i++) {
    let victim: Person | undefined;
    if (w.victims.length > 0 && rng.chance(inPopulation)) {
      for (let tries = 0; tries < 5 && (victim === undefined || used.has(victim)); tries++) victim = rng.pick(w.victims);
      if (victim && used.has(victim)) victim = undefined;
    }
    // A victim outside this population: a real person's identity bought from a leak.
    const v = victim ?? w.person({ region, ageMedian: 38 });
    used.add(v);
    // The fraudster answers as the victim, polishing what would hurt the score.
    const p: Person = { ...v, profile: { ...v.profile }, weak: v.weak && rng.chance(0.5) };
    if (rng.chance(0.5)) p.profile.checkingAccountStatus = rng.pick(['none', '0_to_200', 'gt_200']);
    if (rng.chance(0.4)) p.profile.savingsAccountBonds = rng.pick(['100_to_500', '500_to_1000', 'unknown', 'lt_100']);
    if (rng.chance(0.4) && p.profile.employmentDuration === 'unemployed') p.profile.employmentDuration = '1_to_4';
    const t = START + (firstDay + rng.int(0, windowDays)) * DAY + rng.uniform(9, 23) * HOUR;
    const ids: Ids = {
      nationalId: v.nationalId,
      phone: rng.skewed(burners, 1.5),
      deviceId: rng.pick(devices),
      ip: rng.pick(ips),
      address: rng.chance(victimAddressRate) ? v.address : rng.pick(drops),
      bankAccount: rng.chance(muleRate) ? rng.pick(muleAccounts) : w.bankAccount([rng.pick(['622202', '621700', '622848']), 19]),
    };
    if (ringEmail && rng.chance(0.5)) ids.email = ringEmail;
    else if (rng.chance(0.85)) ids.email = w.email(v.surname, v.given, new Date(v.birth).getUTCFullYear());
    if (v.employer !== undefined && rng.chance(0.5)) ids.employer = v.employer;
    w.add(p, t, 'stolen-identity', ringId, ids, { microShare: 0.35, amountFactor: rng.uniform(1, 1.5) }, {}, v.city.region);
  }
}

function loanStacking(w: World, ringId: string, n: number): void {
  const rng = w.rng;
  const city = rng.weighted(CITY_WEIGHTS);
  const crewSize = clamp(rng.int(2, 4), 1, Math.floor(n / 2));
  const flat = w.homeAddress(city, rng.chance(0.5));
  const flatIp = w.homeIp(city.region);
  const sharedDevices = Array.from({ length: rng.int(1, 2) }, () => w.device('android'));
  const weakCrew = rng.uniform(0.2, 0.55);
  const crew = Array.from({ length: crewSize }, () => {
    const p = w.person({ city, ageMedian: 28, ageLo: 21, ageHi: 48, weak: rng.chance(weakCrew) });
    return { p, phones: [p.phone, ...(rng.chance(0.5) ? [w.mobile()] : [])], livesInFlat: rng.chance(0.55) };
  });
  const leader = crew[0];
  const windowHours = rng.uniform(18, 72);
  const start = START + rng.int(0, SPAN_DAYS - 4) * DAY + rng.uniform(8, 20) * HOUR;
  for (let i = 0; i < n; i++) {
    const member = crew[i % crewSize] ?? leader;
    if (!member) break;
    const { p } = member;
    const t = start + rng.uniform(0, windowHours) * HOUR;
    const ids = w.idsFor(p, 'app');
    ids.nationalId = p.nationalId;
    ids.phone = rng.chance(0.2) ? rng.pick(crew).phones[0] ?? p.phone : rng.pick(member.phones);
    if (rng.chance(0.55)) ids.deviceId = rng.pick(sharedDevices);
    if (rng.chance(0.6)) ids.ip = flatIp;
    if (member.livesInFlat) ids.address = flat;
    if (leader && rng.chance(0.3) && leader.p.bankAccount !== undefined) ids.bankAccount = leader.p.bankAccount;
    w.add(p, t, 'loan-stacking', ringId, ids, { microShare: 0.55, amountFactor: rng.uniform(0.7, 1.3) });
  }
}

const RING_BUILDERS: Record<RingShape, (w: World, ringId: string, n: number) => void> = {
  'device-farm': deviceFarm,
  'mule-recruitment': muleRecruitment,
  'stolen-identity': stolenIdentity,
  'loan-stacking': loanStacking,
};

// ---------------------------------------------------------------------------------------------
// Assembly

function planRings(rng: Rng, budget: number): { shape: RingShape; n: number }[] {
  const plan: { shape: RingShape; n: number }[] = [];
  let remaining = budget;
  // Two rings of every shape first (as far as the budget allows), then more in turn.
  const required = [...RING_SHAPES, ...RING_SHAPES];
  for (let i = 0; i < required.length; i++) {
    const shape = required[i] as RingShape;
    const [min, max] = RING_SIZES[shape];
    const stillNeeded = required.slice(i + 1).reduce((s, sh) => s + RING_SIZES[sh][0], 0);
    const room = remaining - stillNeeded;
    if (room < min) continue;
    const n = Math.min(rng.intLow(min, max, 1.4), room);
    plan.push({ shape, n });
    remaining -= n;
  }
  let k = 0;
  while (remaining >= 4) {
    const shape = RING_SHAPES[k++ % RING_SHAPES.length] as RingShape;
    const [min, max] = RING_SIZES[shape];
    if (remaining < min) {
      if (k > 16) break;
      continue;
    }
    let n = Math.min(rng.intLow(min, max, 1.4), remaining);
    if (remaining - n < 4 && remaining <= 30) n = remaining;
    plan.push({ shape, n });
    remaining -= n;
  }
  return rng.shuffle(plan);
}

function generate(options: { readonly seed: number; readonly size?: number }): Population {
  const size = Math.max(50, Math.round(options.size ?? DEFAULT_SIZE));
  const rng = new Rng(options.seed);
  const w = new World(rng, size);
  const ringBudget = Math.round(size * RING_SHARE);
  const plan = planRings(rng, ringBudget);
  const ringTotal = plan.reduce((s, r) => s + r.n, 0);
  const legitTotal = size - ringTotal;

  const targets: [string, number][] = Object.entries(LEGIT_SHARES).map(([k, share]) => [k, Math.round(legitTotal * share)]);
  let legitCount = 0;
  for (const [kind, target] of targets) {
    let made = 0;
    while (made < target) {
      const left = target - made;
      let n: number;
      switch (kind) {
        case 'household':
          n = Math.min(left, rng.weighted(HOUSEHOLD_SIZES));
          if (n < 2) n = 2;
          household(w, n);
          break;
        case 'dormitory':
          n = Math.min(Math.max(left, 6), rng.intLow(6, 35, 1.5));
          dormitory(w, n);
          break;
        case 'agent-assisted':
          n = Math.min(Math.max(left, 5), rng.intLow(5, 40, 1.8));
          agentAssisted(w, n);
          break;
        case 'repeat-applicant':
          n = Math.min(Math.max(left, 2), rng.chance(0.8) ? 2 : 3);
          repeatApplicant(w, n);
          break;
        case 'family-business':
          n = Math.min(Math.max(left, 3), rng.int(3, 6));
          familyBusiness(w, n);
          break;
        default:
          n = 2;
          recycledNumber(w);
      }
      made += n;
    }
    legitCount += made;
  }
  while (legitCount < legitTotal) {
    single(w);
    legitCount++;
  }
  plan.forEach(({ shape, n }, i) => RING_BUILDERS[shape](w, `${shape}-${String(i + 1).padStart(2, '0')}`, n));

  const drafts = [...w.drafts].sort((a, b) => a.t - b.t || a.order - b.order);
  const members: PopulationMember[] = drafts.map((d, i) => {
    const date = new Date(d.t + 8 * HOUR);
    const ymd = `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
    const application: Application = {
      applicationId: `mm-${ymd}-${String(i + 1).padStart(6, '0')}`,
      product: d.loan.product,
      region: d.region,
      amount: d.loan.amount,
      termMonths: d.loan.termMonths,
      applicant: d.applicant,
      identifiers: renderIds(rng, d.ids),
    };
    return { application, submittedAt: d.t, ring: d.ring, kind: d.kind };
  });
  return { generator: generator.name, seed: options.seed, members };
}

export const generator: PopulationGenerator = {
  name: 'migrant-metro',
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGITIMATE_STRUCTURES,
  generate,
};
