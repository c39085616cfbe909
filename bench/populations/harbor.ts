// Synthetic population "harbor": a port city's loan portfolio over 160 days. Legitimate people share
// identifiers in the ways port life makes them: union members apply at the union hall's kiosk,
// fishing crews give the boat's satellite phone and the harbour office address, family shops share
// a landline, an address and a business account, households share a home, a router and sometimes a
// tablet or a joint account. Three kinds of fraud ring hide in it: seafarers' identities rented to
// strangers while the owners are at sea, a loan shark's proxy borrowers whose payouts all go to his
// accounts, and batches of synthetic identities with sequential burner numbers and a mail drop.
// Written without reference to the detector (src/graph) or to the other generators.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------------------------------------
// Parameters
const NAME = 'harbor';
const DEFAULT_SIZE = 3000;
const DAYS = 160;
/** 2025-03-03 00:00 local time (UTC+8), a Monday. */
const START = Date.UTC(2025, 2, 2, 16, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Share of applicants drawn from the weak (poor credit risk) profile. */
const WEAK_SHARE = 0.24;
/** Share of applications that belong to fraud rings: drawn per population in this range. */
const RING_SHARE_MIN = 0.035;
const RING_SHARE_MAX = 0.055;
/** Shares of the legitimate applications per structure; the rest are singles. */
const LEGIT_SHARES = { 'dock-workers': 0.08, 'fishing-crew': 0.06, 'family-shop': 0.045, household: 0.24 } as const;

const RING_SHAPES = ['crew-identity-rental', 'loan-shark-proxies', 'synthetic-batch'] as const;
type RingShape = (typeof RING_SHAPES)[number];
const RING_SIZES: Record<RingShape, readonly [number, number]> = {
  'crew-identity-rental': [4, 12],
  'loan-shark-proxies': [8, 20],
  'synthetic-batch': [5, 15],
};
const LEGIT_STRUCTURES = ['single', 'household', 'dock-workers', 'fishing-crew', 'family-shop'] as const;

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (sfc32 seeded through splitmix32)
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 15; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(arr: readonly T[]): T {
    const v = arr[Math.floor(this.next() * arr.length)];
    if (v === undefined) throw new Error('pick from empty array');
    return v;
  }
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let r = this.next() * total;
    for (const [v, w] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    const last = pairs[pairs.length - 1];
    if (!last) throw new Error('weighted pick from empty list');
    return last[0];
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'.charAt(Math.floor(this.next() * 16));
    return s;
  }
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const x = arr[i] as T;
      arr[i] = arr[j] as T;
      arr[j] = x;
    }
    return arr;
  }
}

// ---------------------------------------------------------------------------------------------
// The city
const SURNAMES = ['Zhang', 'Wang', 'Li', 'Zhao', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhou', 'Wu', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Gao', 'Luo', 'Zheng', 'Liang', 'Song', 'Tang', 'Han', 'Feng', 'Dong', 'Yu', 'Cao', 'Jiang', 'Qu', 'Sui', 'Jiao', 'Bi'];
const GIVEN_M = ['Wei', 'Lei', 'Jun', 'Tao', 'Qiang', 'Hao', 'Bo', 'Peng', 'Jie', 'Gang', 'Haiyang', 'Jianguo', 'Zhiwei', 'Guoqiang', 'Haitao', 'Dapeng', 'Hailong', 'Yong', 'Chao', 'Ming', 'Kai', 'Xiaodong', 'Jianhua', 'Shengli'];
const GIVEN_F = ['Fang', 'Jing', 'Min', 'Yan', 'Hui', 'Lin', 'Xin', 'Ping', 'Hong', 'Lina', 'Yufei', 'Chunhua', 'Xue', 'Li', 'Na', 'Juan', 'Xiaoyan', 'Meiling', 'Haiyan', 'Yuqing', 'Shuang', 'Ting'];
const STREETS = ['Gangkou Road', 'Haibin Road', 'Yanhai Road', 'Binhai Avenue', 'Matou Street', 'Chuanchang Road', 'Haiyun Road', 'Wangjiang Road', 'Donghai Road', 'Xinjiang Road', 'Changjiang Road', 'Zhongshan Road', 'Renmin Road', 'Jiefang Road', 'Heping Road', 'Hongqi Road', 'Yingbin Avenue', 'Fuzhou Road', 'Nanjing Road', 'Shandong Road', 'Liaoning Road', 'Taiping Road', 'Qingnian Road', 'Xingfu Street', 'Jinshui Road', 'Huayang Road', 'Dengzhou Road', 'Hefei Road', 'Weihai Road', 'Yantai Street', 'Haier Road', 'Chongqing Road', 'Tongan Road', 'Ningxia Road', 'Yunxiao Road'];
const DISTRICTS: readonly (readonly [name: string, region: string, code: string, weight: number])[] = [
  ['Shinan', 'south', '370202', 14],
  ['Gangqu', 'south', '370210', 6],
  ['Shibei', 'north', '370203', 16],
  ['Licang', 'north', '370213', 9],
  ['Laoshan', 'east', '370212', 9],
  ['Jimo', 'east', '370215', 8],
  ['Huangdao', 'west', '370211', 15],
  ['Chengyang', 'west', '370214', 10],
  ['Jiaozhou', 'west', '370281', 6],
];
/** Birthplace codes of people who moved to the port for work. */
const MIGRANT_CODES = ['410102', '411302', '342401', '371302', '130102', '510104', '431102', '220102', '370682', '370285', '320721', '371102', '230103'];
const BIG_EMPLOYERS: readonly (readonly [string, number])[] = [
  ['Donghai Port Authority', 10],
  ['Haitong Stevedoring Co., Ltd.', 5],
  ['Donghai Harbour Stevedoring Group', 4],
  ['Jinhai Port Services Co., Ltd.', 3],
  ['Qianwan Container Terminal Co., Ltd.', 5],
  ['Beihai Shipyard Co., Ltd.', 5],
  ['Donghai Municipal Hospital', 4],
  ['Donghai Cold Chain Logistics Co., Ltd.', 3],
  ['China Post Donghai Branch', 2],
  ['Donghai Metro Operation Co., Ltd.', 3],
  ['Donghai University', 2],
  ['Donghai No. 2 Middle School', 1],
  ['Donghai Aquatic Products Market', 2],
  ['Donghai Customs', 1],
  ['Donghai Ocean Shipping Co., Ltd.', 2],
];
const PORT_EMPLOYERS = ['Donghai Port Authority', 'Haitong Stevedoring Co., Ltd.', 'Donghai Harbour Stevedoring Group', 'Jinhai Port Services Co., Ltd.'];
const SHIPPING_LINES = ['Donghai Ocean Shipping Co., Ltd.', 'Yuanhai Marine Co., Ltd.', 'Huanghai Seafarer Services Co., Ltd.'];
const SMALL_TRADES = ['Trading', 'Seafood', 'Logistics', 'Catering', 'Decoration', 'Electronics', 'Auto Repair', 'Garment', 'Hardware', 'Marine Supplies', 'Property Services', 'Net Making'];
const FISHING_FIRMS = ['Haixing', 'Yuanyang', 'Fengshou', 'Xinhai', 'Jinyu', 'Hailong', 'Shunfeng', 'Longwang', 'Haifeng', 'Lanhai'];
const SHOP_TRADES = ['Seafood Shop', 'Grocery', 'Noodle House', 'Hardware Store', 'Marine Supplies Store', 'Tea House', 'Phone Repair Shop', 'Dried Fish Store'];
const MAIL_DOMAINS: readonly (readonly [string, number])[] = [['163.com', 5], ['126.com', 2], ['qq.com', 6], ['sina.com', 1], ['foxmail.com', 1], ['hotmail.com', 1]];
const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '157', '158', '159', '176', '177', '180', '182', '183', '185', '186', '187', '188', '189', '199'];
const BURNER_PREFIXES = ['170', '171', '165', '167', '162'];
const BANK_BINS = ['622202', '621700', '622848', '621661', '622588', '623058', '621483'];

// ---------------------------------------------------------------------------------------------
// Identifier values (canonical) and the ways applicants type them
interface Addr {
  readonly prefix?: string;
  readonly no: number;
  readonly street: string;
  readonly district: string;
}
interface Phone {
  readonly cc: string;
  /** National significant number (no trunk prefix). */
  readonly national: string;
  readonly kind: 'mobile' | 'landline' | 'satellite';
}
interface Person {
  readonly gender: 'm' | 'f';
  readonly age: number;
  readonly surname: string;
  readonly given: string;
  readonly nationalId: string;
  phone: Phone;
  email: string | undefined;
  address: Addr;
  bankAccount: string;
  employer: string | undefined;
  device: string;
  homeIp: string;
}

const districtOf = (name: string) => DISTRICTS.find((d) => d[0] === name) ?? DISTRICTS[0]!;

function spellPhone(rng: Rng, p: Phone): string {
  const n = p.national;
  if (p.kind === 'satellite') {
    const g = `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
    return rng.weighted([[`+${p.cc} ${g}`, 4], [`+${p.cc}${n}`, 2], [`00${p.cc} ${g}`, 2], [`00${p.cc}${n}`, 1]]);
  }
  if (p.kind === 'landline') {
    const area = n.slice(0, 3);
    const local = n.slice(3);
    return rng.weighted([
      [`0${area}-${local}`, 5], [`0${area} ${local.slice(0, 4)} ${local.slice(4)}`, 3], [`(0${area}) ${local}`, 2],
      [`+${p.cc} ${area} ${local}`, 2], [`0${area}${local}`, 2], [`0086 ${area} ${local}`, 1],
    ]);
  }
  const g = `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
  return rng.weighted([
    [n, 10], [g, 3], [`${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`, 1], [`+${p.cc} ${g}`, 3],
    [`+${p.cc}${n}`, 3], [`+${p.cc} ${n}`, 1], [`00${p.cc} ${n}`, 1], [`${p.cc}${n}`, 1], [` ${n} `, 1],
  ]);
}

function spellNationalId(rng: Rng, id: string): string {
  const low = id.endsWith('X') && rng.chance(0.4) ? id.slice(0, 17) + 'x' : id;
  return rng.weighted([[low, 12], [`${low.slice(0, 6)} ${low.slice(6, 14)} ${low.slice(14)}`, 2], [`${low.slice(0, 6)}-${low.slice(6, 14)}-${low.slice(14)}`, 1], [` ${low}`, 1]]);
}

function spellEmail(rng: Rng, e: string): string {
  const cap = (s: string) => s.replace(/(^|[._])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase());
  return rng.weighted([[e, 14], [cap(e), 4], [e.toUpperCase(), 1], [`${e} `, 1]]);
}

function spellAddress(rng: Rng, a: Addr): string {
  const style = rng.weighted([['plain', 10], ['lower', 3], ['upper', 2], ['loose', 2], ['nocomma', 2]] as const);
  const no = style === 'loose' || style === 'upper' ? `No.${a.no}` : style === 'nocomma' || style === 'lower' ? `No ${a.no}` : `No. ${a.no}`;
  const parts = [...(a.prefix ? [a.prefix] : []), `${no} ${a.street}`, `${a.district} District`, 'Donghai'];
  let s: string;
  switch (style) {
    case 'plain':
      s = parts.join(', ');
      break;
    case 'lower':
      s = parts.join(' ').toLowerCase();
      break;
    case 'upper':
      s = parts.join(', ').toUpperCase();
      break;
    case 'loose':
      s = ` ${parts.join(',  ')} `;
      break;
    case 'nocomma':
      s = parts.join(' ');
      break;
  }
  return s;
}

function spellEmployer(rng: Rng, e: string): string {
  return rng.weighted([
    [e, 12], [e.toLowerCase(), 2], [e.toUpperCase(), 2], [e.replace(/[.,]/g, '').replace(/\s+/g, ' ').trim(), 3],
    [e.replace(', ', ',').replace('Co.,', 'Co.,'), 1], [`${e}  `, 1],
  ]);
}

function spellBank(rng: Rng, b: string): string {
  const groups = b.match(/.{1,4}/g) ?? [b];
  return rng.weighted([[b, 10], [groups.join(' '), 5], [groups.join('-'), 1]]);
}

function spellDevice(rng: Rng, d: string): string {
  // iOS vendor ids arrive upper-case from the app, web fingerprints lower-case.
  return d.includes('-') ? (rng.chance(0.85) ? d.toUpperCase() : d) : d;
}

function spellIp(rng: Rng, ip: string): string {
  return rng.chance(0.08) ? `::ffff:${ip}` : ip;
}

// ---------------------------------------------------------------------------------------------
// Credit profiles
function age(rng: Rng, lo = 21, hi = 62): number {
  const x = rng.next() * 0.6 + rng.next() * 0.4;
  return Math.min(hi, Math.max(lo, Math.round(lo + (hi - lo) * x * x * 1.35)));
}

interface ProfileHints {
  readonly age: number;
  readonly gender: 'm' | 'f';
  readonly weak: boolean;
  readonly married?: boolean;
  readonly job?: string;
  readonly housing?: string;
  readonly employment?: string;
  readonly dependents?: number;
  readonly hasTelephone?: boolean;
  readonly foreignP?: number;
  readonly thinFile?: boolean;
}

function profile(rng: Rng, h: ProfileHints, product: string): Applicant {
  const w = h.weak;
  const checkingAccountStatus = rng.weighted(w
    ? [['lt_0', 45], ['0_to_200', 33], ['none', 16], ['gt_200', 6]]
    : [['none', 44], ['0_to_200', 24], ['gt_200', 10], ['lt_0', 22]]);
  const creditHistory = h.thinFile
    ? rng.weighted([['no_credit_all_paid', 3], ['paid_duly', 6], ['this_bank_all_paid', 1]])
    : rng.weighted(w
      ? [['paid_duly', 42], ['delay', 17], ['no_credit_all_paid', 14], ['this_bank_all_paid', 14], ['critical', 13]]
      : [['paid_duly', 53], ['critical', 31], ['delay', 8], ['this_bank_all_paid', 4], ['no_credit_all_paid', 4]]);
  const savingsAccountBonds = rng.weighted(w
    ? [['lt_100', 74], ['100_to_500', 12], ['unknown', 9], ['500_to_1000', 3], ['gt_1000', 2]]
    : [['lt_100', 50], ['unknown', 20], ['100_to_500', 11], ['500_to_1000', 8], ['gt_1000', 11]]);
  const employmentDuration = h.employment ?? rng.weighted(w
    ? [['1_to_4', 38], ['lt_1', 28], ['4_to_7', 13], ['gt_7', 14], ['unemployed', 7]]
    : [['1_to_4', 32], ['gt_7', 28], ['4_to_7', 20], ['lt_1', 14], ['unemployed', 6]]);
  const personalStatusSex = h.gender === 'f'
    ? 'female_not_single'
    : h.married === true ? 'male_married_widowed'
      : h.married === false ? rng.weighted([['male_single', 9], ['male_divorced_seperated', 1]])
        : rng.weighted([['male_single', 58], ['male_married_widowed', 30], ['male_divorced_seperated', 8]]);
  const purpose = product === 'micro_loan'
    ? rng.weighted([['radio_television', 25], ['domestic_appliance', 12], ['repairs', 14], ['education', 10], ['furniture_equipment', 14], ['other', 10], ['retraining', 5], ['business', 10]])
    : rng.weighted([['new_car', 18], ['used_car', 12], ['furniture_equipment', 18], ['radio_television', 20], ['domestic_appliance', 3], ['repairs', 4], ['education', 6], ['business', 11], ['retraining', 2], ['other', 6]]);
  return {
    age: h.age,
    checkingAccountStatus,
    creditHistory,
    purpose,
    savingsAccountBonds,
    employmentDuration,
    personalStatusSex,
    otherDebtorsGuarantors: rng.weighted([['none', 90], ['guarantor', 5], ['co_applicant', 5]]),
    property: rng.weighted(w
      ? [['unknown', 24], ['car_other', 34], ['insurance', 24], ['real_estate', 18]]
      : [['real_estate', 30], ['car_other', 32], ['insurance', 23], ['unknown', 15]]),
    otherInstallmentPlans: rng.weighted(w ? [['none', 66], ['bank', 24], ['stores', 10]] : [['none', 83], ['bank', 12], ['stores', 5]]),
    housing: h.housing ?? rng.weighted([['own', 62], ['rent', 26], ['for_free', 12]]),
    job: h.job ?? rng.weighted(w
      ? [['skilled_employee', 52], ['unskilled_resident', 32], ['management_self_emp_highly_qualified', 9], ['unemployed_unskilled', 7]]
      : [['skilled_employee', 63], ['unskilled_resident', 18], ['management_self_emp_highly_qualified', 17], ['unemployed_unskilled', 2]]),
    installmentRatePct: rng.weighted(w ? [[4, 55], [3, 22], [2, 16], [1, 7]] : [[4, 42], [3, 15], [2, 24], [1, 19]]),
    residenceYears: rng.weighted([[1, 13], [2, 31], [3, 15], [4, 41]]),
    existingCredits: h.thinFile ? 1 : rng.weighted(w ? [[1, 55], [2, 38], [3, 5], [4, 2]] : [[1, 64], [2, 32], [3, 3], [4, 1]]),
    dependents: h.dependents ?? (rng.chance(0.15) ? 2 : 1),
    hasTelephone: h.hasTelephone ?? rng.chance(0.4),
    foreignWorker: rng.chance(h.foreignP ?? 0.04),
  };
}

const PL_TERMS = [6, 9, 12, 15, 18, 24, 30, 36, 42, 48, 60, 72];
const ML_TERMS = [3, 4, 6, 9, 12, 18, 24];

function loan(rng: Rng, product: string, scale = 1): { amount: number; termMonths: number } {
  if (product === 'micro_loan') {
    let amount = Math.round((900 * scale * Math.exp(0.65 * rng.normal())) / 50) * 50;
    amount = rng.chance(0.01) ? rng.int(31, 50) * 100 : Math.min(3000, Math.max(100, amount));
    const idx = Math.min(ML_TERMS.length - 1, Math.max(0, Math.round(Math.log(amount / 100) * 1.4 + rng.normal() * 1.2)));
    const termMonths = rng.chance(0.004) ? rng.int(1, 2) : (ML_TERMS[idx] ?? 12);
    return { amount, termMonths };
  }
  let amount = Math.round((3400 * scale * Math.exp(0.72 * rng.normal())) / 100) * 100;
  amount = rng.chance(0.008) ? rng.int(205, 400) * 100 : Math.min(20000, Math.max(500, amount));
  const idx = Math.min(PL_TERMS.length - 1, Math.max(0, Math.round(Math.log(amount / 500) * 2.2 + rng.normal() * 1.8)));
  return { amount, termMonths: PL_TERMS[idx] ?? 24 };
}

// ---------------------------------------------------------------------------------------------
// The generator proper
interface Draft {
  readonly t: number;
  readonly product: string;
  readonly region: string;
  readonly amount: number;
  readonly termMonths: number;
  readonly applicant: Applicant;
  readonly ids: RawIdentifiers;
  readonly ring: string | null;
  readonly kind: string;
}

/** How an application reached the bank: decides which device/ip identifiers it carries. */
type Channel = { readonly kind: 'branch' } | { readonly kind: 'online'; readonly device: string; readonly ip: string };

class World {
  readonly drafts: Draft[] = [];
  private readonly used = new Set<string>();
  readonly mobileIps: string[] = [];
  readonly wifiIps: string[] = [];
  constructor(readonly rng: Rng, size: number) {
    const nMobile = Math.max(24, Math.round(size / 70));
    for (let i = 0; i < nMobile; i++) this.mobileIps.push(this.uniq('ip', () => `${this.rng.pick(['112.224', '112.232', '39.72', '223.104', '117.136'])}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`));
    for (let i = 0; i < 6; i++) this.wifiIps.push(this.uniq('ip', () => `${this.rng.pick(['218.58', '60.209'])}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`));
  }

  uniq(ns: string, make: () => string): string {
    for (;;) {
      const v = make();
      if (!this.used.has(`${ns}:${v}`)) {
        this.used.add(`${ns}:${v}`);
        return v;
      }
    }
  }

  // ---- identifier values
  nationalId(regionCode: string, ageYears: number, gender: 'm' | 'f'): string {
    return this.uniq('nid', () => {
      const year = 2025 - ageYears - (this.rng.chance(0.4) ? 1 : 0);
      const month = this.rng.int(1, 12);
      const day = this.rng.int(1, 28);
      const seq = this.rng.int(0, 99) * 10 + (gender === 'm' ? this.rng.pick([1, 3, 5, 7, 9]) : this.rng.pick([0, 2, 4, 6, 8]));
      const body = `${regionCode}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
      const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
      let sum = 0;
      for (let i = 0; i < 17; i++) sum += Number(body.charAt(i)) * (weights[i] ?? 0);
      return body + '10X98765432'.charAt(sum % 11);
    });
  }
  mobile(burner = false): Phone {
    const national = this.uniq('tel', () => this.rng.pick(burner ? BURNER_PREFIXES : MOBILE_PREFIXES) + this.rng.digits(8));
    return { cc: '86', national, kind: 'mobile' };
  }
  landline(): Phone {
    return { cc: '86', national: this.uniq('tel', () => `532${this.rng.pick(['8', '6', '5'])}${this.rng.digits(7)}`), kind: 'landline' };
  }
  satellite(): Phone {
    return { cc: '870', national: this.uniq('tel', () => `77${this.rng.digits(7)}`), kind: 'satellite' };
  }
  email(surname: string, given: string, birthYear: number): string {
    return this.uniq('mail', () => {
      const domain = this.rng.weighted(MAIL_DOMAINS);
      if (domain === 'qq.com') return `${this.rng.int(1, 9)}${this.rng.digits(this.rng.int(7, 9))}@qq.com`;
      const s = surname.toLowerCase();
      const g = given.toLowerCase();
      const local = this.rng.weighted([
        [`${g}.${s}${this.rng.int(1, 99)}`, 3], [`${s}${g}${String(birthYear).slice(2)}`, 3], [`${g}${s}_${this.rng.digits(3)}`, 2],
        [`${s}.${g}${this.rng.digits(2)}`, 2], [`${s}${g}${this.rng.digits(4)}`, 1],
      ]);
      return `${local}@${domain}`;
    });
  }
  bankAccount(bin?: string): string {
    return this.uniq('bank', () => {
      const body = (bin ?? this.rng.pick(BANK_BINS)) + this.rng.digits(this.rng.chance(0.6) ? 12 : 9);
      // Luhn check digit, as on real cards
      let sum = 0;
      for (let i = 0; i < body.length; i++) {
        let d = Number(body.charAt(body.length - 1 - i));
        if (i % 2 === 0) {
          d *= 2;
          if (d > 9) d -= 9;
        }
        sum += d;
      }
      return body + String((10 - (sum % 10)) % 10);
    });
  }
  device(): string {
    return this.uniq('dev', () => this.rng.chance(0.55)
      ? this.rng.hex(16)
      : `${this.rng.hex(8)}-${this.rng.hex(4)}-4${this.rng.hex(3)}-${this.rng.pick(['8', '9', 'a', 'b'])}${this.rng.hex(3)}-${this.rng.hex(12)}`);
  }
  homeIp(): string {
    return this.uniq('ip', () => `${this.rng.pick(['113.120', '113.121', '221.0', '123.235', '27.223', '119.162'])}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`);
  }
  district(): string {
    return this.rng.weighted(DISTRICTS.map((d) => [d[0], d[3]] as const));
  }
  address(prefix?: string, district?: string): Addr {
    const d = district ?? this.district();
    let addr: Addr;
    for (;;) {
      const flat = prefix ?? (this.rng.chance(0.85) ? `Room ${this.rng.int(1, 28)}${String(this.rng.int(1, 8)).padStart(2, '0')}` : undefined);
      addr = { ...(flat ? { prefix: flat } : {}), no: this.rng.int(1, 320), street: this.rng.pick(STREETS), district: d };
      const key = `addr:${addr.prefix ?? ''}|${addr.no}|${addr.street}|${addr.district}`;
      if (!this.used.has(key)) {
        this.used.add(key);
        return addr;
      }
    }
  }
  smallEmployer(surname: string): string {
    return `Donghai ${surname}${this.rng.pick(['', 'xing', 'feng', 'tai', 'sheng', 'yuan'])} ${this.rng.pick(SMALL_TRADES)} Co., Ltd.`;
  }
  employer(surname: string): string {
    return this.rng.chance(0.55) ? this.rng.weighted(BIG_EMPLOYERS) : this.smallEmployer(surname);
  }

  person(opts: { gender?: 'm' | 'f'; age?: number; origin?: 'local' | 'migrant'; migrantP?: number; surname?: string; district?: string; employer?: string | null } = {}): Person {
    const rng = this.rng;
    const gender = opts.gender ?? (rng.chance(0.56) ? 'm' : 'f');
    const a = opts.age ?? age(rng);
    const surname = opts.surname ?? rng.pick(SURNAMES);
    const given = rng.pick(gender === 'm' ? GIVEN_M : GIVEN_F);
    const migrant = opts.origin ? opts.origin === 'migrant' : rng.chance(opts.migrantP ?? 0.25);
    const district = opts.district ?? this.district();
    const code = migrant ? rng.pick(MIGRANT_CODES) : districtOf(this.district())[2];
    const employer = opts.employer === null ? undefined : opts.employer ?? this.employer(surname);
    return {
      gender, age: a, surname, given,
      nationalId: this.nationalId(code, a, gender),
      phone: this.mobile(),
      email: rng.chance(0.82) ? this.email(surname, given, 2025 - a) : undefined,
      address: this.address(undefined, district),
      bankAccount: this.bankAccount(),
      employer,
      device: this.device(),
      homeIp: this.homeIp(),
    };
  }

  // ---- times
  /** A day in [lo, hi], weekends less busy. */
  day(lo = 0, hi = DAYS - 1): number {
    for (;;) {
      const d = this.rng.int(Math.max(0, lo), Math.min(DAYS - 1, hi));
      if ((d % 7) < 5 || this.rng.chance(0.6)) return d;
    }
  }
  at(day: number, pattern: 'online' | 'office' | 'night' = 'online'): number {
    const hour = pattern === 'office' ? this.rng.int(9, 16)
      : pattern === 'night' ? this.rng.weighted([[22, 2], [23, 3], [0, 3], [1, 3], [2, 2], [3, 1], [21, 1]])
        : this.rng.weighted([[7, 2], [8, 4], [9, 5], [10, 6], [11, 6], [12, 7], [13, 6], [14, 5], [15, 5], [16, 5], [17, 5], [18, 6], [19, 8], [20, 9], [21, 9], [22, 7], [23, 3], [0, 1], [1, 1], [6, 1]]);
    return START + Math.min(DAYS - 1, Math.max(0, day)) * DAY + hour * HOUR + this.rng.int(0, 3_599_999);
  }

  // ---- channels
  online(p: Person, where: 'home' | 'mobile' | 'any' = 'any'): Channel {
    const r = this.rng.next();
    const ip = where === 'home' ? p.homeIp : where === 'mobile' ? this.rng.pick(this.mobileIps)
      : r < 0.45 ? p.homeIp : r < 0.9 ? this.rng.pick(this.mobileIps) : this.rng.pick(this.wifiIps);
    return { kind: 'online', device: p.device, ip };
  }
  channel(p: Person, branchP = 0.12): Channel {
    return this.rng.chance(branchP) ? { kind: 'branch' } : this.online(p);
  }

  // ---- emitting one application
  emit(args: {
    t: number; p: Person; ch: Channel; kind: string; ring?: string | null; product?: string; weakP?: number; hints?: Partial<ProfileHints>;
    phone?: Phone | null; address?: Addr | null; bankAccount?: string | null; employer?: string | null; email?: string | null;
    nationalId?: string; scale?: number; region?: string;
  }): void {
    const rng = this.rng;
    const { p } = args;
    const product = args.product ?? (rng.chance(0.68) ? 'personal_loan' : 'micro_loan');
    const weak = rng.chance(args.weakP ?? WEAK_SHARE);
    const applicant = profile(rng, { age: p.age, gender: p.gender, weak, ...args.hints }, product);
    const ids: RawIdentifiers = {};
    ids.nationalId = spellNationalId(rng, args.nationalId ?? p.nationalId);
    const phone = args.phone === undefined ? p.phone : args.phone;
    if (phone && rng.chance(0.99)) ids.phone = spellPhone(rng, phone);
    if (args.ch.kind === 'online') {
      ids.deviceId = spellDevice(rng, args.ch.device);
      ids.ip = spellIp(rng, args.ch.ip);
    }
    const email = args.email === undefined ? p.email : args.email;
    if (email) ids.email = spellEmail(rng, email);
    const address = args.address === undefined ? p.address : args.address;
    if (address && rng.chance(0.97)) ids.address = spellAddress(rng, address);
    const bank = args.bankAccount === undefined ? p.bankAccount : args.bankAccount;
    if (bank && rng.chance(0.94)) ids.bankAccount = spellBank(rng, bank);
    const employer = args.employer === undefined ? p.employer : args.employer;
    const selfEmployed = applicant.job === 'management_self_emp_highly_qualified' && rng.chance(0.4);
    if (employer && !selfEmployed && applicant.employmentDuration !== 'unemployed') ids.employer = spellEmployer(rng, employer);
    const region = args.region ?? districtOf((address ?? p.address).district)[1];
    this.drafts.push({ t: args.t, product, region, ...loan(rng, product, args.scale), applicant, ids, ring: args.ring ?? null, kind: args.kind });
  }
}

/** A seafarer whose national id can be rented out: when they were last ashore applying. */
interface Seafarer {
  readonly p: Person;
  readonly ashore: readonly number[];
}

function buildLegitimate(w: World, total: number, seafarers: Seafarer[], hubs: { halls: { device: string; ip: string; device2?: string }[] }): void {
  const rng = w.rng;
  let left = total;
  const budget = (share: number) => Math.round(total * share);

  // dock-workers: loan drives organised at the union hall, on the hall's kiosk
  let dock = budget(LEGIT_SHARES['dock-workers']);
  const nHalls = Math.max(2, Math.round(dock / 60));
  for (let i = 0; i < nHalls; i++) {
    hubs.halls.push({ device: w.device(), ip: w.homeIp(), ...(rng.chance(0.4) ? { device2: w.device() } : {}) });
  }
  while (dock >= 8) {
    const n = Math.min(dock, rng.int(8, 30));
    dock -= n;
    left -= n;
    const hall = rng.pick(hubs.halls);
    const firm = rng.pick(PORT_EMPLOYERS);
    const start = rng.int(0, DAYS - 20);
    const len = rng.int(4, 25);
    const meetings = Array.from({ length: rng.int(1, 4) }, () => w.day(start, start + len));
    const dormNo = rng.int(1, 6);
    const dormStreet = rng.pick(STREETS);
    for (let k = 0; k < n; k++) {
      const p = w.person({ gender: rng.chance(0.93) ? 'm' : 'f', migrantP: 0.5, employer: rng.chance(0.78) ? firm : rng.pick(PORT_EMPLOYERS), age: age(rng, 21, 58) });
      if (rng.chance(0.3)) p.address = { prefix: `Port Workers Dormitory Block ${dormNo} Room ${rng.int(1, 5)}${String(rng.int(1, 20)).padStart(2, '0')}`, no: 9, street: dormStreet, district: 'Gangqu' };
      if (rng.chance(0.4)) p.email = undefined;
      const kiosk = rng.chance(0.78);
      const day = rng.chance(0.7) ? rng.pick(meetings) : w.day(start, start + len);
      const ch: Channel = kiosk ? { kind: 'online', device: hall.device2 && rng.chance(0.5) ? hall.device2 : hall.device, ip: hall.ip } : w.online(p);
      w.emit({ t: w.at(day, kiosk ? 'office' : 'online'), p, ch, kind: 'dock-workers', hints: { job: rng.weighted([['skilled_employee', 6], ['unskilled_resident', 4]]), foreignP: 0.02 } });
    }
  }

  // fishing-crew: in port for a few days; the boat's satellite phone and the harbour office address
  let crew = budget(LEGIT_SHARES['fishing-crew']);
  const harbours = [0, 1, 2].map((i) => w.address(['Harbour Master Office', 'Fishing Port Administration Office', 'Shazikou Harbour Office'][i], ['Shinan', 'Huangdao', 'Laoshan'][i]));
  const firms = FISHING_FIRMS.map((f) => `Donghai ${f} Fishing Co., Ltd.`);
  while (crew >= 4) {
    const n = Math.min(crew, rng.int(4, 10));
    crew -= n;
    left -= n;
    const sat = w.satellite();
    const office = rng.pick(harbours);
    const firm = rng.pick(firms);
    const visits = [rng.int(0, DAYS - 6)];
    if (rng.chance(0.35)) visits.push(rng.int(0, DAYS - 6));
    const seen = new Map<Person, number[]>();
    for (let k = 0; k < n; k++) {
      const p = w.person({ gender: 'm', migrantP: 0.35, employer: firm, age: age(rng, 20, 60) });
      if (rng.chance(0.55)) p.email = undefined;
      const visit = rng.pick(visits);
      const day = visit + rng.int(0, 4);
      const ch = w.channel(p, 0.5);
      w.emit({
        t: w.at(day, ch.kind === 'branch' ? 'office' : 'online'), p, ch, kind: 'fishing-crew',
        phone: rng.chance(0.88) ? sat : p.phone, address: rng.chance(0.85) ? office : p.address,
        hints: { job: rng.weighted([['skilled_employee', 5], ['unskilled_resident', 5]]), foreignP: 0.03 },
      });
      seen.set(p, [...(seen.get(p) ?? []), day]);
    }
    for (const [p, days] of seen) seafarers.push({ p, ashore: days });
  }

  // family-shop: relatives running one shop
  let shops = budget(LEGIT_SHARES['family-shop']);
  while (shops >= 3) {
    const n = Math.min(shops, rng.int(3, 6));
    shops -= n;
    left -= n;
    const surname = rng.pick(SURNAMES);
    const district = w.district();
    const shopName = `${surname} Family ${rng.pick(SHOP_TRADES)}`;
    const shopAddr = w.address(`Shop ${rng.int(1, 30)}`, district);
    const landline = w.landline();
    const account = w.bankAccount();
    const pc = w.device();
    const shopIp = w.homeIp();
    const start = rng.int(0, DAYS - 10);
    const spread = rng.pick([3, 14, 45, 90]);
    for (let k = 0; k < n; k++) {
      const elder = k < 2;
      const p = w.person({ surname: rng.chance(0.8) ? surname : undefined, gender: k === 0 ? 'm' : k === 1 ? 'f' : undefined, age: elder ? age(rng, 42, 63) : age(rng, 20, 38), district, migrantP: 0.15, employer: shopName });
      if (!elder && rng.chance(0.6)) p.address = shopAddr;
      const r = rng.next();
      const ch: Channel = r < 0.45 ? { kind: 'online', device: pc, ip: shopIp } : r < 0.6 ? { kind: 'branch' } : w.online(p);
      w.emit({
        t: w.at(start + rng.int(0, spread), 'online'), p, ch, kind: 'family-shop',
        phone: rng.chance(0.75) ? landline : p.phone, address: rng.chance(0.85) ? shopAddr : p.address,
        bankAccount: rng.chance(0.9) ? account : p.bankAccount, employer: rng.chance(0.6) ? shopName : null,
        hints: { job: rng.chance(0.6) ? 'management_self_emp_highly_qualified' : 'skilled_employee', married: k < 2 ? true : undefined, hasTelephone: true },
      });
    }
  }

  // household: people living together
  let hh = budget(LEGIT_SHARES.household);
  while (hh >= 2) {
    const n = Math.min(hh, rng.weighted([[2, 55], [3, 24], [4, 13], [5, 8]]));
    hh -= n;
    left -= n;
    const surname = rng.pick(SURNAMES);
    const district = w.district();
    const home = w.address(undefined, district);
    const router = w.homeIp();
    const tablet = rng.chance(0.35) ? w.device() : undefined;
    const joint = rng.chance(0.3) ? w.bankAccount() : undefined;
    const landline = rng.chance(0.2) ? w.landline() : undefined;
    const together = rng.chance(0.4);
    const day0 = w.day();
    const adultAge = age(rng, 26, 58);
    const members: Person[] = [];
    for (let k = 0; k < n; k++) {
      const role = k < 2 ? 'couple' : rng.chance(0.5) ? 'child' : 'parent';
      const a = role === 'couple' ? Math.max(21, adultAge + rng.int(-4, 4)) : role === 'child' ? Math.max(19, adultAge - rng.int(20, 30)) : Math.min(66, adultAge + rng.int(22, 30));
      const p = w.person({ surname: k === 1 && rng.chance(0.9) ? rng.pick(SURNAMES) : surname, gender: k === 0 ? 'm' : k === 1 ? 'f' : undefined, age: a, district });
      p.address = home;
      p.homeIp = router;
      if (role === 'parent' && rng.chance(0.35) && members[0]) p.phone = members[0].phone; // the son's phone
      if (role === 'parent' && rng.chance(0.5)) p.email = undefined;
      members.push(p);
      const dev = tablet && rng.chance(0.6) ? tablet : role === 'parent' && members[0] && rng.chance(0.4) ? members[0].device : p.device;
      const ch: Channel = rng.chance(0.1) ? { kind: 'branch' } : { kind: 'online', device: dev, ip: rng.chance(0.7) ? router : rng.pick(w.mobileIps) };
      const day = together ? day0 + (rng.chance(0.6) ? 0 : rng.int(0, 3)) : w.day();
      w.emit({
        t: w.at(day), p, ch, kind: 'household',
        phone: landline && rng.chance(0.25) ? landline : p.phone,
        bankAccount: joint && k < 2 && rng.chance(0.8) ? joint : p.bankAccount,
        hints: { married: k < 2 ? true : undefined, housing: rng.chance(0.7) ? 'own' : 'rent', dependents: n >= 3 ? 2 : 1, hasTelephone: landline !== undefined || rng.chance(0.3) },
      });
    }
  }

  // single: everyone else; a few come back after a while, some are seafarers themselves
  while (left > 0) {
    const seafarer = rng.chance(0.04);
    const p = w.person(seafarer ? { gender: 'm', employer: rng.pick(SHIPPING_LINES), age: age(rng, 22, 55) } : {});
    const day = w.day();
    const ch = w.channel(p);
    w.emit({ t: w.at(day, ch.kind === 'branch' ? 'office' : 'online'), p, ch, kind: 'single' });
    left--;
    const days = [day];
    if (left > 0 && rng.chance(0.03)) {
      const again = Math.min(DAYS - 1, day + rng.int(3, 45));
      w.emit({ t: w.at(again), p, ch: rng.chance(0.7) ? w.online(p) : w.channel(p), kind: 'single', scale: 0.7 });
      left--;
      days.push(again);
    }
    if (seafarer) seafarers.push({ p, ashore: days });
  }
}

function buildRing(w: World, shape: RingShape, n: number, ringId: string, seafarers: Seafarer[], halls: readonly { device: string; ip: string }[]): void {
  const rng = w.rng;
  if (shape === 'crew-identity-rental') {
    // A broker near the port rents out seafarers' ids while they are at sea; strangers apply with
    // new phones from the broker's devices, payouts to their own or the broker's accounts.
    const len = rng.int(7, 35);
    const start = rng.int(0, DAYS - len);
    const devices = Array.from({ length: rng.int(1, 3) }, () => w.device());
    const ips = Array.from({ length: rng.int(1, 2) }, () => w.homeIp());
    const sims = Array.from({ length: Math.max(1, Math.round(n * (0.5 + rng.next() * 0.5))) }, () => w.mobile(rng.chance(0.6)));
    const brokerAccounts = Array.from({ length: rng.int(1, 2) }, () => w.bankAccount());
    const useBroker = rng.next() * 0.7;
    const useDevice = 0.5 + rng.next() * 0.4;
    let prev: Seafarer | undefined;
    for (let k = 0; k < n; k++) {
      const day = w.day(start, start + len);
      const atSea = seafarers.filter((s) => s.ashore.every((d) => Math.abs(d - day) > 10));
      let owner: Person;
      if (prev && rng.chance(0.15)) owner = prev.p;
      else if (atSea.length > 0 && rng.chance(0.8)) {
        const s = rng.pick(atSea);
        owner = s.p;
        prev = s;
      } else {
        owner = w.person({ gender: 'm', employer: rng.pick(SHIPPING_LINES), age: age(rng, 22, 55), migrantP: 0.4 });
        prev = { p: owner, ashore: [] };
      }
      const renter = w.person({ gender: owner.gender, age: owner.age });
      const ch: Channel = rng.chance(useDevice) ? { kind: 'online', device: rng.pick(devices), ip: rng.chance(0.7) ? rng.pick(ips) : rng.pick(w.mobileIps) } : w.online(renter);
      w.emit({
        t: w.at(day), p: renter, ch, kind: shape, ring: ringId, nationalId: owner.nationalId,
        phone: rng.chance(0.6) ? rng.pick(sims) : renter.phone,
        address: rng.chance(0.5) ? owner.address : renter.address,
        email: rng.chance(0.75) ? w.email(owner.surname, owner.given, 2025 - owner.age) : null,
        bankAccount: rng.chance(useBroker) ? rng.pick(brokerAccounts) : renter.bankAccount,
        employer: rng.chance(0.6) ? owner.employer ?? null : rng.chance(0.5) ? rng.weighted(BIG_EMPLOYERS) : null,
        hints: { gender: owner.gender }, scale: 1.3,
      });
    }
  } else if (shape === 'loan-shark-proxies') {
    // Real, indebted borrowers, each with own id and phone; the shark collects every payout.
    const len = rng.int(30, 90);
    const start = rng.int(0, DAYS - len);
    const accounts = Array.from({ length: rng.int(1, 2) }, () => w.bankAccount());
    const tablets = Array.from({ length: rng.int(1, 2) }, () => w.device());
    const office = w.homeIp();
    const tabletP = 0.2 + rng.next() * 0.35;
    const hall = rng.chance(0.5) ? rng.pick(halls) : undefined;
    let carry: number | undefined;
    for (let k = 0; k < n; k++) {
      const p = w.person({ migrantP: 0.45, employer: rng.chance(0.55) ? rng.pick([...PORT_EMPLOYERS, 'Donghai Aquatic Products Market']) : undefined, age: age(rng, 21, 55) });
      const day: number = carry !== undefined && rng.chance(0.4) ? carry : w.day(start, start + len);
      carry = day;
      const r = rng.next();
      const ch: Channel = r < tabletP ? { kind: 'online', device: rng.pick(tablets), ip: office }
        : hall && r < tabletP + 0.15 ? { kind: 'online', device: hall.device, ip: hall.ip }
          : w.channel(p, 0.08);
      w.emit({
        t: w.at(day, ch.kind === 'online' && ch.ip === office ? 'office' : 'online'), p, ch, kind: shape, ring: ringId,
        bankAccount: rng.chance(0.82) ? rng.pick(accounts) : p.bankAccount, email: rng.chance(0.6) ? p.email ?? null : null,
        weakP: WEAK_SHARE + 0.12, product: rng.chance(0.8) ? 'personal_loan' : 'micro_loan', scale: 1.4,
        hints: { job: rng.weighted([['skilled_employee', 5], ['unskilled_resident', 5]]) },
      });
    }
  } else {
    // Made-up identities from one batch: sequential burner numbers, one mail drop, two devices, one week.
    const len = rng.int(2, 7);
    const start = rng.int(0, DAYS - len - 1);
    const prefix = rng.pick(BURNER_PREFIXES);
    let base = Number(rng.digits(6)) * 100 + rng.int(0, 40);
    const drop = w.address(rng.pick([`Parcel Locker ${rng.int(1, 40)}`, `Mailbox ${rng.int(100, 999)}`, `Courier Station ${rng.int(1, 9)}`]));
    const devices = [w.device(), w.device()];
    const ips = Array.from({ length: rng.int(1, 3) }, () => w.homeIp());
    const company = w.smallEmployer(rng.pick(SURNAMES));
    const domain = rng.weighted(MAIL_DOMAINS.filter(([d]) => d !== 'qq.com'));
    const bin = rng.pick(BANK_BINS);
    const night = rng.chance(0.5);
    const sharedAccount = rng.chance(0.4) ? w.bankAccount(bin) : undefined;
    for (let k = 0; k < n; k++) {
      const p = w.person({ age: age(rng, 23, 45), employer: rng.chance(0.5) ? company : rng.chance(0.6) ? rng.weighted(BIG_EMPLOYERS) : null, migrantP: 0.5 });
      base += rng.chance(0.75) ? 1 : rng.int(2, 4);
      const phone: Phone = { cc: '86', national: w.uniq('tel', () => `${prefix}${String(base).padStart(8, '0').slice(-8)}`), kind: 'mobile' };
      const email = w.uniq('mail', () => `${p.given.toLowerCase()}${p.surname.toLowerCase()}${rng.digits(rng.int(3, 4))}@${domain}`);
      const ch: Channel = { kind: 'online', device: devices[k % 2] ?? p.device, ip: rng.chance(0.75) ? rng.pick(ips) : rng.pick(w.mobileIps) };
      w.emit({
        t: w.at(start + rng.int(0, len), night && rng.chance(0.7) ? 'night' : 'online'), p, ch, kind: shape, ring: ringId, phone, email,
        address: rng.chance(0.9) ? drop : p.address, bankAccount: sharedAccount && rng.chance(0.5) ? sharedAccount : w.bankAccount(bin),
        weakP: 0.1, product: rng.chance(0.6) ? 'micro_loan' : 'personal_loan',
        hints: { thinFile: rng.chance(0.7), employment: rng.weighted([['1_to_4', 5], ['4_to_7', 3], ['gt_7', 1]]), housing: 'rent' },
      });
    }
  }
}

function generate(options: { readonly seed: number; readonly size?: number }) {
  const seed = options.seed;
  const size = Math.max(50, Math.round(options.size ?? DEFAULT_SIZE));
  const rng = new Rng(seed ^ 0x4a8b0c1d);
  const w = new World(rng, size);

  // Plan the rings first (their sizes decide how many legitimate applications there are).
  const share = RING_SHARE_MIN + rng.next() * (RING_SHARE_MAX - RING_SHARE_MIN);
  let remaining = Math.round(size * share);
  const plan: { shape: RingShape; n: number }[] = [];
  const membersOf = (shape: RingShape) => plan.reduce((sum, r) => sum + (r.shape === shape ? r.n : 0), 0);
  for (let round = 0; remaining >= 4; round++) {
    // Two rounds of every shape, then mostly the shape with the fewest members so far.
    const fewest = [...RING_SHAPES].sort((a, b) => membersOf(a) - membersOf(b))[0] ?? RING_SHAPES[0];
    const order = round < 2 ? rng.shuffle([...RING_SHAPES]) : [rng.chance(0.6) ? fewest : rng.pick(RING_SHAPES)];
    let placed = false;
    for (const shape of order) {
      const [lo, hi] = RING_SIZES[shape];
      if (remaining < lo) continue;
      const n = Math.min(remaining, rng.int(lo, hi));
      plan.push({ shape, n });
      remaining -= n;
      placed = true;
    }
    if (!placed && round >= 2 && !RING_SHAPES.some((s) => remaining >= RING_SIZES[s][0])) break;
  }
  const ringTotal = plan.reduce((s, r) => s + r.n, 0);

  const seafarers: Seafarer[] = [];
  const hubs = { halls: [] as { device: string; ip: string; device2?: string }[] };
  buildLegitimate(w, size - ringTotal, seafarers, hubs);
  plan.forEach((r, i) => buildRing(w, r.shape, r.n, `${NAME}-ring-${String(i + 1).padStart(3, '0')}`, seafarers, hubs.halls));

  const drafts = w.drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.t - b.d.t || a.i - b.i);
  const members: PopulationMember[] = drafts.map(({ d }, i) => {
    const local = new Date(d.t + 8 * HOUR);
    const ymd = `${local.getUTCFullYear()}${String(local.getUTCMonth() + 1).padStart(2, '0')}${String(local.getUTCDate()).padStart(2, '0')}`;
    const application: Application = {
      applicationId: `HBR-${ymd}-${String(i + 1).padStart(6, '0')}`,
      product: d.product,
      region: d.region,
      amount: d.amount,
      termMonths: d.termMonths,
      applicant: d.applicant,
      identifiers: d.ids,
    };
    return { application, submittedAt: d.t, ring: d.ring, kind: d.kind };
  });
  return { generator: NAME, seed, members };
}

export const generator: PopulationGenerator = {
  name: NAME,
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT_STRUCTURES,
  generate,
};
