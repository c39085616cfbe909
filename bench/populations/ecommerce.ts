// Synthetic population: an e-commerce hub city over 120 days around two shopping festivals
// (11.11 and 12.12). Legitimate applicants share identifiers through warehouses, livestream
// studios, courier depots and households; fraud rings run SIM banks, refund/drop schemes and
// review farms. Written independently of the detector; deterministic for a seed and size.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------- parameters
/** Share of legitimate applicants drawn with a weak credit profile (this generator's choice). */
const WEAK_SHARE = 0.24;
/** Ring members are drawn from nearly the same profile mix: a little weaker, not trivially so. */
const RING_WEAK_SHARE = 0.3;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const SPAN_DAYS = 120;
/** 2025-10-01 00:00 local time (UTC+8). */
const START = Date.UTC(2025, 8, 30, 16);
const FESTIVALS = [41, 72]; // day index of 11 Nov and 12 Dec
const LEGIT_SHARES: readonly [string, number][] = [
  ['household', 0.16], ['online-seller', 0.13], ['logistics-staff', 0.11], ['livestream-team', 0.08], ['single', 0.52],
]; // singles last: they fill whatever the group structures leave
const RING_SIZES: Record<string, readonly [number, number]> = {
  'sim-bank-farm': [8, 30], 'refund-ring': [5, 12], 'reviewer-farm': [6, 18],
};

// ---------------------------------------------------------------- PRNG (sfc32 seeded by splitmix32)
class Rng {
  private a: number; private b: number; private c: number; private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
    for (let i = 0; i < 12; i++) this.next();
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
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return at(xs, Math.floor(this.next() * xs.length)); }
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let r = this.next() * total;
    for (const [v, w] of pairs) { r -= w; if (r < 0) return v; }
    return at(pairs, pairs.length - 1)[0];
  }
  /** Zipf-like index into 0..n-1 (a few values very popular). */
  zipf(n: number, s = 1.1): number { return Math.min(n - 1, Math.floor(n * Math.pow(this.next(), 1 + s * 1.6))); }
  normal(): number { return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next()); }
  hex(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)]; return s; }
  digits(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(0, 9)); return s; }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) { const j = this.int(0, i); const t = at(xs, i); xs[i] = at(xs, j); xs[j] = t; }
    return xs;
  }
}

function at<T>(xs: readonly T[], i: number): T {
  const v = xs[i];
  if (v === undefined) throw new Error(`index ${i} out of range`);
  return v;
}

// ---------------------------------------------------------------- city vocabulary
const DISTRICTS: readonly [string, string][] = [
  ['Xihu', 'west'], ['Yuhang', 'west'], ['Gongshu', 'north'], ['Linping', 'north'],
  ['Shangcheng', 'south'], ['Binjiang', 'south'], ['Xiaoshan', 'east'], ['Qiantang', 'east'],
];
const STREETS = ['Wensan', 'Jiangnan', 'Moganshan', 'Tiancheng', 'Xueyuan', 'Gudun', 'Qiuyi', 'Jianghui', 'Shixiang', 'Wuchang',
  'Binsheng', 'Xintang', 'Hongxing', 'Dongxin', 'Wenyi', 'Fengqi', 'Yunhe', 'Liangzhu', 'Chengye', 'Jiuhuan'];
const COMMUNITIES = ['Lvyuan Garden', 'Jinxiu Court', 'Yangguang Homes', 'Xincheng Residence', 'Hexie Apartments', 'Jiangbin Garden',
  'Chunxiao Yuan', 'Lanting Court', 'Fuli Estate', 'Tianyi Homes', 'Qingshan Yuan', 'Wanxiang Residence', 'Shuian Court'];
const PARKS = ['Jiubao E-Commerce Park', 'Sijiqing Fulfilment Centre', 'Yiqiao Logistics Park', 'Xiasha Cross-Border Park',
  'Cangqian Seller Hub', 'Liangzhu Warehouse Park', 'Dongzhou Supply Park', 'Renhe E-Commerce Valley'];
const FREE_DOMAINS: readonly [string, number][] = [['qq.com', 40], ['163.com', 20], ['126.com', 8], ['foxmail.com', 6],
  ['sina.com', 4], ['outlook.com', 6], ['gmail.com', 5], ['139.com', 5], ['icloud.com', 6]];
const PINYIN = ['wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'tao', 'ming',
  'chao', 'xiu', 'xia', 'ping', 'gang', 'hui', 'hao', 'yu', 'xin', 'ting', 'lin', 'bo', 'kai', 'rui', 'zhen'];
const SURNAMES = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu',
  'guo', 'he', 'lin', 'luo', 'gao', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng'];
const LOCAL_REGION_CODES = ['330102', '330105', '330106', '330108', '330109', '330110', '330112', '330113', '330114'];
const MIGRANT_REGION_CODES = ['341202', '340302', '360102', '362202', '410102', '411302', '420102', '430102', '431102', '450102',
  '510104', '511302', '522601', '532101', '612401', '622101', '350582', '370283', '130102', '230103'];
const CARRIER_PREFIXES = ['134', '135', '136', '137', '138', '139', '150', '151', '152', '157', '158', '159', '182', '183', '187',
  '188', '130', '131', '132', '155', '156', '185', '186', '133', '153', '180', '181', '189', '199', '177'];
const VIRTUAL_PREFIXES = ['170', '171', '162', '165', '167'];
const WORDS_A = ['Golden', 'Swift', 'Bright', 'Harmony', 'Star', 'Cloud', 'Jade', 'Peak', 'Blue', 'Orient', 'Zhongyuan', 'Lucky', 'River', 'Sun'];
const WORDS_B = ['Trading', 'Technology', 'Network', 'Apparel', 'Foods', 'Electronics', 'Home Goods', 'Cosmetics', 'Textile', 'Digital'];
const COURIERS = ['Hangzhou Swift Courier Co Ltd', 'Zhejiang Yunda Express Services Co Ltd', 'Hangzhou Jitu Parcel Logistics Co Ltd',
  'Orient Star Express Hangzhou Branch'];
const COURIER_DOMAINS = ['swiftcourier.cn', 'yundaexp-zj.com', 'jituparcel.cn', 'orientstarexp.com'];
const AGENCIES = ['Hangzhou Xingguang MCN Culture Media Co Ltd', 'Zhejiang Weilai Livestream Technology Co Ltd',
  'Hangzhou Qianfan Media Co Ltd', 'Binjiang Hongren Network Technology Co Ltd', 'Hangzhou Duoduo Entertainment Co Ltd'];

// ---------------------------------------------------------------- identifier values (canonical) and spellings
interface Ids { nationalId?: string; phone?: string; deviceId?: string; ip?: string; email?: string; address?: string[]; bankAccount?: string; employer?: string }

function nationalId(rng: Rng, age: number, migrant: boolean, codes?: readonly string[]): string {
  const region = rng.pick(codes ?? (migrant ? MIGRANT_REGION_CODES : LOCAL_REGION_CODES));
  const year = 2025 - age - (rng.chance(0.7) ? 1 : 0);
  const body = `${region}${year}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(1, 28)).padStart(2, '0')}${rng.digits(3)}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * at(weights, i);
  return body + at(['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'], sum % 11);
}
const mobile = (rng: Rng) => rng.pick(CARRIER_PREFIXES) + rng.digits(8);
const device = (rng: Rng) => (rng.chance(0.45) ? `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.hex(3)}-${rng.hex(12)}` : rng.hex(16));
const account = (rng: Rng) => rng.pick(['6222', '6217', '6228', '6214', '6230', '6259']) + rng.digits(rng.pick([12, 12, 13, 15]));
const homeIp = (rng: Rng) => `${rng.pick(['115.192', '115.193', '60.176', '60.177', '122.224', '183.128', '125.118', '36.23'])}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
const proxyIp = (rng: Rng) => `${rng.pick(['47.96', '47.98', '101.37', '119.23', '120.55', '43.248', '103.152', '45.119'])}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
function personalEmail(rng: Rng): string {
  const domain = rng.weighted(FREE_DOMAINS);
  if (domain === 'qq.com' && rng.chance(0.75)) return `${rng.int(1, 9)}${rng.digits(rng.int(7, 9))}@qq.com`;
  const local = rng.pick(SURNAMES) + rng.pick(['', '.', '_']) + rng.pick(PINYIN) + (rng.chance(0.7) ? String(rng.int(1, 9999)) : '');
  return `${local}@${domain}`;
}
const junkEmail = (rng: Rng) => `${rng.hex(rng.int(6, 9)).replace(/^\d/, 'k')}${rng.pick(['', String(rng.int(10, 99))])}@${rng.pick(['163.com', '126.com', 'qq.com', 'sina.com', '139.com'])}`;
function homeAddress(rng: Rng, district?: string): string[] {
  const d = district ?? rng.pick(DISTRICTS)[0];
  return [`Room ${rng.int(1, 32)}${String(rng.int(1, 8)).padStart(2, '0')}`, `Bldg ${rng.int(1, 24)}`, rng.pick(COMMUNITIES),
    `${rng.int(1, 999)} ${rng.pick(STREETS)} Road`, `${d} District`, 'Hangzhou'];
}
const districtOf = (addr: readonly string[] | undefined, rng: Rng) => {
  const hit = addr?.find((p) => p.endsWith(' District'));
  return hit ? hit.slice(0, -' District'.length) : rng.pick(DISTRICTS)[0];
};
const regionOf = (district: string) => DISTRICTS.find(([d]) => d === district)?.[1] ?? 'east';
const companyName = (rng: Rng) => `Hangzhou ${rng.pick(WORDS_A)} ${rng.pick(WORDS_B)} Co Ltd`;

function caseVariant(rng: Rng, s: string): string {
  const r = rng.next();
  if (r < 0.65) return s;
  if (r < 0.85) return s.toLowerCase();
  return s.toUpperCase();
}
function spell(rng: Rng, ids: Ids): RawIdentifiers {
  const out: RawIdentifiers = {};
  if (ids.nationalId) {
    const n = ids.nationalId;
    const r = rng.next();
    out.nationalId = r < 0.72 ? n : r < 0.8 ? n.toLowerCase() : r < 0.92 ? `${n.slice(0, 6)} ${n.slice(6, 14)} ${n.slice(14)}` : `${n.slice(0, 6)}-${n.slice(6, 14)}-${n.slice(14)}`;
  }
  if (ids.phone) {
    const p = ids.phone;
    const g = `${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`;
    out.phone = rng.weighted<string>([[p, 40], [`+86 ${g}`, 16], [`+86${p}`, 10], [`0086 ${p}`, 6], [`+86-${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`, 5],
      [g, 12], [`${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`, 6], [`86${p}`, 3], [` ${p} `, 2]]);
  }
  if (ids.deviceId) out.deviceId = rng.chance(0.3) ? ids.deviceId.toUpperCase() : ids.deviceId;
  if (ids.ip) out.ip = rng.chance(0.04) ? ` ${ids.ip}` : ids.ip;
  if (ids.email) {
    const e = ids.email;
    const r = rng.next();
    out.email = r < 0.7 ? e : r < 0.82 ? e.charAt(0).toUpperCase() + e.slice(1) : r < 0.92 ? e.replace(/@.*/, (d) => d.toUpperCase()) : `${e} `;
  }
  if (ids.address) {
    const parts = ids.address;
    const sep = rng.weighted<string>([[', ', 60], [' ', 20], [',', 12], ['  ', 8]]);
    out.address = caseVariant(rng, parts.join(sep));
  }
  if (ids.bankAccount) {
    const a = ids.bankAccount;
    const r = rng.next();
    out.bankAccount = r < 0.55 ? a : r < 0.88 ? (a.match(/.{1,4}/g) ?? [a]).join(' ') : (a.match(/.{1,4}/g) ?? [a]).join('-');
  }
  if (ids.employer) {
    const e = ids.employer;
    const r = rng.next();
    out.employer = caseVariant(rng, r < 0.5 ? e : r < 0.8 ? e.replace(/ Co Ltd$/, ' Co., Ltd.') : `${e} `.replace(/ Co Ltd $/, ' Co.,Ltd'));
  }
  return out;
}

// ---------------------------------------------------------------- timing
function dayWeights(kind: 'consumer' | 'stocking'): number[] {
  const w: number[] = [];
  for (let d = 0; d < SPAN_DAYS; d++) {
    let x = 1 + ((d + 2) % 7 >= 5 ? 0.15 : 0); // 1 Oct 2025 is a Wednesday
    for (const f of FESTIVALS) {
      if (kind === 'consumer') x += 2.2 * Math.exp(-(((d - f) / 2.5) ** 2)) + 0.6 * Math.exp(-(((d - f + 6) / 5) ** 2));
      else x += 1.8 * Math.exp(-(((d - f + 14) / 6) ** 2)) + 0.5 * Math.exp(-(((d - f) / 2) ** 2));
    }
    if (d < 7) x *= 0.7; // national-day holiday lull
    w.push(x);
  }
  return w;
}
const HOUR_WEIGHTS = [3, 1.5, 0.8, 0.4, 0.3, 0.4, 0.8, 1.5, 3, 4.5, 5.5, 5.5, 5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 5, 6, 6.5, 6, 4.5];
const cumulative = (w: readonly number[]) => { let s = 0; return w.map((x) => (s += x)); };
const CUM = { consumer: cumulative(dayWeights('consumer')), stocking: cumulative(dayWeights('stocking')), hour: cumulative(HOUR_WEIGHTS) };
function sampleCum(rng: Rng, cum: readonly number[]): number {
  const r = rng.next() * at(cum, cum.length - 1);
  let lo = 0, hi = cum.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (at(cum, mid) > r) hi = mid; else lo = mid + 1; }
  return lo;
}
const timeOfDay = (rng: Rng) => sampleCum(rng, CUM.hour) * HOUR + Math.floor(rng.next() * HOUR);
const legitTime = (rng: Rng, kind: 'consumer' | 'stocking' = 'consumer') => START + sampleCum(rng, CUM[kind]) * DAY + timeOfDay(rng);
const clampTime = (t: number) => Math.min(START + SPAN_DAYS * DAY - 1, Math.max(START, Math.round(t)));
/** A start day for a window of `len` days; festival-adjacent with probability pFest. */
function windowStart(rng: Rng, len: number, pFest: number, offset = 0): number {
  const last = SPAN_DAYS - Math.ceil(len) - 1;
  const d = rng.chance(pFest) ? rng.pick(FESTIVALS) + offset + rng.int(-4, 2) : rng.int(2, last);
  return START + Math.max(0, Math.min(last, d)) * DAY;
}

// ---------------------------------------------------------------- credit profiles and loans
interface ProfileHints { age?: [number, number]; weak?: boolean; weakShare?: number; migrant?: boolean; selfEmployed?: boolean; employed?: boolean;
  housing?: string; personal?: string; purposeBusiness?: number; dependents2?: number }

function makeApplicant(rng: Rng, h: ProfileHints): { applicant: Applicant; weak: boolean } {
  const weak = h.weak ?? rng.chance(h.weakShare ?? WEAK_SHARE);
  const [a0, a1] = h.age ?? [21, 58];
  const age = Math.max(a0, Math.min(a1, Math.round(a0 + (a1 - a0) * Math.pow(rng.next(), 1.6))));
  const pick = <T,>(good: [T, number][], bad: [T, number][]) => rng.weighted(weak ? bad : good);
  let employmentDuration = pick([['1_to_4', 33], ['gt_7', 20], ['4_to_7', 20], ['lt_1', 14], ['unemployed', 2]],
    [['1_to_4', 34], ['lt_1', 32], ['4_to_7', 12], ['gt_7', 10], ['unemployed', 9]]);
  if (h.employed && employmentDuration === 'unemployed') employmentDuration = 'lt_1';
  if (age < 25 && (employmentDuration === 'gt_7' || employmentDuration === '4_to_7')) employmentDuration = '1_to_4';
  let job = h.selfEmployed ? rng.weighted([['management_self_emp_highly_qualified', 55], ['skilled_employee', 35], ['unskilled_resident', 10]])
    : pick([['skilled_employee', 63], ['unskilled_resident', 18], ['management_self_emp_highly_qualified', 16], ['unemployed_unskilled', 3]],
      [['skilled_employee', 52], ['unskilled_resident', 28], ['management_self_emp_highly_qualified', 9], ['unemployed_unskilled', 11]]);
  if (h.employed && job === 'unemployed_unskilled') job = 'unskilled_resident';
  const purposeBase: [string, number][] = [['radio_television', 24], ['furniture_equipment', 17], ['new_car', 7], ['used_car', 10],
    ['business', 9], ['education', 6], ['repairs', 3], ['domestic_appliance', 4], ['retraining', 2], ['other', 8]];
  const purpose = rng.chance(h.purposeBusiness ?? 0) ? 'business' : rng.weighted(purposeBase);
  const applicant: Applicant = {
    age,
    checkingAccountStatus: pick([['none', 60], ['0_to_200', 19], ['lt_0', 7], ['gt_200', 14]], [['lt_0', 42], ['0_to_200', 36], ['none', 15], ['gt_200', 7]]),
    creditHistory: pick([['paid_duly', 52], ['critical', 40], ['delay', 5], ['this_bank_all_paid', 2], ['no_credit_all_paid', 1]],
      [['paid_duly', 44], ['delay', 15], ['no_credit_all_paid', 14], ['this_bank_all_paid', 14], ['critical', 13]]),
    purpose,
    savingsAccountBonds: pick([['lt_100', 34], ['unknown', 26], ['100_to_500', 12], ['500_to_1000', 11], ['gt_1000', 17]],
      [['lt_100', 71], ['100_to_500', 12], ['unknown', 11], ['500_to_1000', 4], ['gt_1000', 2]]),
    employmentDuration,
    personalStatusSex: h.personal ?? rng.weighted([['male_single', 50], ['female_not_single', 32], ['male_married_widowed', 10], ['male_divorced_seperated', 8]]),
    otherDebtorsGuarantors: rng.weighted([['none', 90], ['guarantor', 5], ['co_applicant', 5]]),
    property: pick([['real_estate', 32], ['car_other', 33], ['insurance', 25], ['unknown', 10]], [['car_other', 34], ['unknown', 30], ['insurance', 25], ['real_estate', 11]]),
    otherInstallmentPlans: pick([['none', 86], ['stores', 8], ['bank', 6]], [['none', 60], ['stores', 22], ['bank', 18]]),
    housing: h.housing ?? (age < 27 ? rng.weighted([['rent', 55], ['for_free', 22], ['own', 23]]) : rng.weighted([['own', 58], ['rent', 33], ['for_free', 9]])),
    job,
    installmentRatePct: pick([[4, 30], [3, 17], [2, 30], [1, 23]], [[4, 55], [3, 20], [2, 15], [1, 10]]),
    residenceYears: age < 26 ? rng.weighted([[1, 35], [2, 40], [3, 15], [4, 10]]) : rng.weighted([[1, 14], [2, 30], [3, 16], [4, 40]]),
    existingCredits: rng.weighted([[1, 62], [2, 32], [3, 4], [4, 2]]),
    dependents: rng.chance(h.dependents2 ?? 0.15) ? 2 : 1,
    hasTelephone: rng.chance(weak ? 0.3 : 0.42),
    foreignWorker: h.migrant ?? rng.chance(0.55),
  };
  return { applicant, weak };
}

function makeLoan(rng: Rng, weak: boolean, pMicro: number, age: number): { product: string; amount: number; termMonths: number } {
  const micro = age < 21 || rng.chance(pMicro);
  const odd = rng.chance(0.012); // a few requests fall outside the product bounds
  if (micro) {
    let amount = Math.round(Math.exp(6.8 + 0.7 * rng.normal() + (weak ? 0.15 : 0)) / 50) * 50;
    amount = odd ? rng.int(31, 50) * 100 : Math.max(100, Math.min(3000, amount));
    let termMonths = rng.weighted([[3, 20], [6, 30], [9, 8], [12, 28], [18, 6], [24, 8]]);
    if (rng.chance(0.01)) termMonths = rng.int(1, 2);
    if (age + termMonths / 12 > 69) termMonths = 3;
    return { product: 'micro_loan', amount, termMonths };
  }
  let amount = Math.round(Math.exp(7.95 + 0.7 * rng.normal() + (weak ? 0.3 : 0)) / 100) * 100;
  amount = odd ? rng.int(205, 350) * 100 : Math.max(500, Math.min(20000, amount));
  let termMonths = weak ? rng.weighted([[12, 15], [24, 25], [36, 25], [48, 17], [60, 12], [72, 6]]) : rng.weighted([[6, 8], [12, 30], [18, 10], [24, 28], [36, 15], [48, 5], [60, 3], [72, 1]]);
  if (age + termMonths / 12 > 74) termMonths = 12;
  return { product: 'personal_loan', amount, termMonths };
}

// ---------------------------------------------------------------- population assembly
interface Draft { t: number; ring: string | null; kind: string; applicant: Applicant; loan: { product: string; amount: number; termMonths: number }; ids: Ids; region: string }

interface Hubs {
  cgnat: string[]; branchIps: string[]; employers: string[]; warehouses: string[][]; agencies: string[];
  legitAddresses: string[][]; legitNationalIds: string[]; legitPhones: string[];
}

function generate({ seed, size = 3000 }: { readonly seed: number; readonly size?: number }): Population {
  const rng = new Rng(seed * 7919 + 17);
  const n = Math.max(50, Math.round(size));
  const drafts: Draft[] = [];
  const hubs: Hubs = {
    cgnat: Array.from({ length: Math.max(20, Math.round(n / 14)) }, () => `${rng.pick(['112.17', '112.10', '39.170', '39.188', '223.104', '117.136', '36.27'])}.${rng.int(0, 255)}.${rng.int(1, 254)}`),
    branchIps: DISTRICTS.map(() => `218.108.${rng.int(1, 60)}.${rng.int(2, 250)}`),
    employers: Array.from({ length: Math.max(20, Math.round(n / 12)) }, () => companyName(rng)),
    warehouses: [], agencies: [], legitAddresses: [], legitNationalIds: [], legitPhones: [],
  };
  const mobileIp = () => at(hubs.cgnat, rng.zipf(hubs.cgnat.length, 0.35));
  const push = (d: Draft) => {
    drafts.push(d);
    if (!d.ring) {
      if (d.ids.address) hubs.legitAddresses.push(d.ids.address);
      if (d.ids.nationalId) hubs.legitNationalIds.push(d.ids.nationalId);
      if (d.ids.phone) hubs.legitPhones.push(d.ids.phone);
    }
  };
  const person = (kind: string, hints: ProfileHints, ids: Ids, t: number, ring: string | null = null, pMicro = 0.45) => {
    const migrant = hints.migrant ?? rng.chance(0.55);
    const { applicant, weak } = makeApplicant(rng, { ...hints, migrant });
    const nid = ids.nationalId ?? nationalId(rng, applicant.age, migrant);
    const loan = makeLoan(rng, weak, pMicro, applicant.age);
    const d: Draft = { t: clampTime(t), ring, kind, applicant, loan, ids: { ...ids, nationalId: nid }, region: regionOf(districtOf(ids.address, rng)) };
    push(d);
    return d;
  };

  // Ring budget: 3-6% of applications.
  const ringBudget = Math.round(n * (0.038 + 0.016 * rng.next()));
  const legitTarget = n - ringBudget;

  // ---- legitimate structures
  for (const [kind, share] of LEGIT_SHARES) {
    const quota = kind === 'single' ? Infinity : Math.round(legitTarget * share);
    let made = 0;
    while (made < quota && (kind !== 'single' || drafts.length < legitTarget)) {
      const room = quota - made;
      if (kind === 'single') { made += single(); continue; }
      if (kind === 'household') made += household(Math.min(room, rng.weighted([[2, 45], [3, 30], [4, 17], [5, 8]])));
      else if (kind === 'online-seller') made += warehouse(Math.max(Math.min(room, 6), Math.min(room, rng.int(8, 26))));
      else if (kind === 'logistics-staff') made += depot(Math.max(Math.min(room, 4), Math.min(room, rng.int(5, 22))));
      else made += studio(Math.max(Math.min(room, 3), Math.min(room, rng.int(4, 10))));
    }
  }

  function single(): number {
    const district = rng.pick(DISTRICTS)[0];
    const branch = rng.chance(0.08);
    const selfEmployed = rng.chance(0.14);
    const ids: Ids = {
      phone: mobile(rng),
      email: rng.chance(0.88) ? personalEmail(rng) : undefined,
      address: rng.chance(0.95) ? homeAddress(rng, district) : undefined,
      bankAccount: rng.chance(0.93) ? account(rng) : undefined,
      employer: selfEmployed ? undefined : rng.chance(0.9) ? at(hubs.employers, rng.zipf(hubs.employers.length, 0.9)) : undefined,
      deviceId: branch ? undefined : device(rng),
      ip: branch ? at(hubs.branchIps, DISTRICTS.findIndex(([d]) => d === district)) : rng.chance(0.55) ? mobileIp() : rng.chance(0.9) ? homeIp(rng) : undefined,
    };
    const d = person('single', { selfEmployed }, ids, legitTime(rng));
    if (rng.chance(0.025)) { // a second application a few days later (other product or a smaller amount)
      const again = { ...d, t: clampTime(d.t + rng.int(1, 20) * DAY + rng.int(0, 20) * HOUR), loan: makeLoan(rng, false, 0.5, d.applicant.age) };
      push(again);
      return 2;
    }
    return 1;
  }

  function household(k: number): number {
    const district = rng.pick(DISTRICTS)[0];
    const address = homeAddress(rng, district);
    const ip = homeIp(rng);
    const tablet = rng.chance(0.35) ? device(rng) : undefined;
    const joint = rng.chance(0.3) ? account(rng) : undefined;
    const migrant = rng.chance(0.45);
    const elder = rng.chance(0.2) && k >= 3;
    const first = legitTime(rng);
    const together = rng.chance(0.3);
    let firstPhone: string | undefined;
    for (let i = 0; i < k; i++) {
      const role = i === 0 ? 'head' : i === 1 ? 'spouse' : elder && i === k - 1 ? 'elder' : 'child';
      const age: [number, number] = role === 'elder' ? [55, 66] : role === 'child' ? [20, 28] : [27, 55];
      const phone = role === 'elder' && firstPhone && rng.chance(0.6) ? firstPhone : mobile(rng);
      firstPhone ??= phone;
      const ids: Ids = {
        address: rng.chance(0.96) ? address : undefined, phone,
        ip: rng.chance(0.7) ? ip : mobileIp(),
        deviceId: tablet && rng.chance(0.6) ? tablet : device(rng),
        bankAccount: joint && role !== 'child' && rng.chance(0.8) ? joint : rng.chance(0.93) ? account(rng) : undefined,
        email: rng.chance(0.8) ? personalEmail(rng) : undefined,
        employer: role === 'elder' ? undefined : rng.chance(0.8) ? at(hubs.employers, rng.zipf(hubs.employers.length, 0.9)) : undefined,
      };
      const personal = role === 'head' ? 'male_married_widowed' : role === 'spouse' ? 'female_not_single' : undefined;
      const t = together ? first + rng.int(0, 180) * 60_000 : first + rng.int(0, 50) * DAY + rng.int(-6, 6) * HOUR;
      person('household', { age, migrant, personal, housing: rng.chance(0.6) ? 'own' : 'rent', dependents2: 0.35 }, ids, t);
    }
    return k;
  }

  function warehouse(k: number): number {
    const park = rng.pick(PARKS);
    const district = rng.pick(DISTRICTS)[0];
    const base = [`${park}`, `Warehouse ${rng.pick(['A', 'B', 'C', 'D', 'E'])}${rng.int(1, 12)}`, `${rng.int(1, 800)} ${rng.pick(STREETS)} Road`, `${district} District`, 'Hangzhou'];
    hubs.warehouses.push(base);
    const parkIp = homeIp(rng);
    for (let i = 0; i < k; i++) {
      const ownShop = rng.chance(0.5);
      const ids: Ids = {
        address: rng.chance(0.85) ? base : homeAddress(rng, district),
        phone: mobile(rng), bankAccount: account(rng), deviceId: rng.chance(0.9) ? device(rng) : undefined,
        ip: rng.chance(0.35) ? parkIp : rng.chance(0.6) ? mobileIp() : homeIp(rng),
        email: rng.chance(0.85) ? personalEmail(rng) : undefined,
        employer: ownShop ? companyName(rng) : undefined,
      };
      person('online-seller', { selfEmployed: true, purposeBusiness: 0.5, age: [22, 50] }, ids, legitTime(rng, 'stocking'), null, 0.4);
    }
    return k;
  }

  function depot(k: number): number {
    const c = rng.int(0, COURIERS.length - 1);
    const district = rng.pick(DISTRICTS)[0];
    const addr = [`${at(COURIERS, c).replace(/ Co Ltd$/, '')} ${rng.pick(STREETS)} Depot`, `${rng.int(1, 600)} ${rng.pick(STREETS)} Road`, `${district} District`, 'Hangzhou'];
    const depotIp = homeIp(rng);
    const t0 = legitTime(rng);
    for (let i = 0; i < k; i++) {
      const ids: Ids = {
        employer: at(COURIERS, c), address: rng.chance(0.8) ? addr : homeAddress(rng, district), phone: mobile(rng),
        bankAccount: rng.chance(0.95) ? account(rng) : undefined, deviceId: device(rng),
        ip: rng.chance(0.25) ? depotIp : mobileIp(),
        email: rng.chance(0.3) ? `${rng.pick(SURNAMES)}${rng.pick(PINYIN)}${rng.int(1, 99)}@${at(COURIER_DOMAINS, c)}` : rng.chance(0.6) ? personalEmail(rng) : undefined,
      };
      // Payday drives some of the staff to apply in the same week; the rest spread out.
      const t = rng.chance(0.35) ? t0 + rng.int(0, 6) * DAY + timeOfDay(rng) - (t0 % DAY) : legitTime(rng);
      person('logistics-staff', { employed: true, age: [20, 52], migrant: rng.chance(0.75), housing: rng.chance(0.7) ? 'rent' : undefined }, ids, t, null, 0.6);
    }
    return k;
  }

  function studio(k: number): number {
    const agency = hubs.agencies.length > 0 && rng.chance(0.45) ? rng.pick(hubs.agencies) : rng.pick(AGENCIES);
    if (!hubs.agencies.includes(agency)) hubs.agencies.push(agency);
    const devices = Array.from({ length: rng.int(1, 2) }, () => device(rng));
    const studioIp = homeIp(rng);
    const district = rng.pick(DISTRICTS)[0];
    const dorm = rng.chance(0.3) ? homeAddress(rng, district) : undefined;
    const t0 = legitTime(rng, rng.chance(0.5) ? 'stocking' : 'consumer');
    const spread = rng.pick([1, 3, 7, 14]);
    for (let i = 0; i < k; i++) {
      const ids: Ids = {
        employer: rng.chance(0.92) ? agency : undefined,
        deviceId: rng.chance(0.85) ? rng.pick(devices) : device(rng),
        ip: rng.chance(0.85) ? studioIp : mobileIp(),
        phone: mobile(rng), bankAccount: account(rng),
        address: dorm && rng.chance(0.8) ? dorm : rng.chance(0.9) ? homeAddress(rng, district) : undefined,
        email: rng.chance(0.85) ? personalEmail(rng) : undefined,
      };
      person('livestream-team', { employed: true, age: [20, 33], housing: 'rent' }, ids, t0 + rng.next() * spread * DAY, null, 0.55);
    }
    return k;
  }

  // ---- fraud rings: two of every shape first (shrunk towards the minimum sizes if the budget is
  // tight, fewer if it cannot hold them), then more in a seeded round-robin until the budget is spent.
  const shapes = rng.shuffle(Object.keys(RING_SIZES));
  const drawSize = (shape: string) => {
    const [lo, hi] = RING_SIZES[shape] ?? [5, 10];
    return shape === 'sim-bank-farm' ? lo + Math.floor((hi - lo + 1) * Math.pow(rng.next(), 1.7)) : rng.int(lo, hi);
  };
  const minOf = (shape: string) => (RING_SIZES[shape] ?? [5, 10])[0];
  const plan: [string, number][] = [...shapes, ...shapes].map((shape) => [shape, drawSize(shape)]);
  const total = () => plan.reduce((a, [, k]) => a + k, 0);
  while (total() > ringBudget && plan.some(([sh, k]) => k > minOf(sh))) {
    for (const entry of plan) if (entry[1] > minOf(entry[0]) && total() > ringBudget) entry[1]--;
  }
  while (total() > ringBudget && plan.length > 0) plan.pop(); // drops the second copies first
  let left = ringBudget - total();
  for (let i = 0, misses = 0; misses < shapes.length; i++) {
    const shape = at(shapes, i % shapes.length);
    if (left < minOf(shape)) { misses++; continue; }
    misses = 0;
    const k = Math.max(minOf(shape), Math.min(drawSize(shape), left));
    plan.push([shape, k]);
    left -= k;
  }
  const counters: Record<string, number> = {};
  for (const [shape, k] of plan) {
    counters[shape] = (counters[shape] ?? 0) + 1;
    const id = `ec-${shape}-${counters[shape]}`;
    if (shape === 'sim-bank-farm') simBankFarm(id, k); else if (shape === 'refund-ring') refundRing(id, k); else reviewerFarm(id, k);
  }

  function camouflageEmployer(): string | undefined {
    const r = rng.next();
    if (r < 0.25) return rng.pick(COURIERS);
    if (r < 0.4) return hubs.agencies.length ? rng.pick(hubs.agencies) : rng.pick(AGENCIES);
    if (r < 0.6) return at(hubs.employers, rng.zipf(hubs.employers.length, 0.9));
    if (r < 0.82) return companyName(rng);
    return undefined;
  }
  function legitAddress(): string[] { return hubs.legitAddresses.length ? rng.pick(hubs.legitAddresses) : homeAddress(rng); }

  function simBankFarm(id: string, k: number): void {
    const prefix = rng.pick(VIRTUAL_PREFIXES) + rng.digits(4);
    let suffix = rng.int(0, 8000);
    const phones: string[] = [];
    const devices = Array.from({ length: rng.int(2, 4) }, () => device(rng));
    const mules = Array.from({ length: rng.int(1, 3) }, () => account(rng));
    const proxies = Array.from({ length: rng.int(2, 6) }, () => proxyIp(rng));
    const drop = Array.from({ length: rng.int(1, 2) }, () => homeAddress(rng));
    const warehouseHub = hubs.warehouses.length ? rng.pick(hubs.warehouses) : drop[0];
    const days = rng.int(1, 3);
    const t0 = windowStart(rng, days, 0.55, -1) + rng.int(18, 23) * HOUR;
    const codes = [rng.pick(MIGRANT_REGION_CODES), rng.pick(MIGRANT_REGION_CODES), rng.pick(LOCAL_REGION_CODES)];
    const ageBand: [number, number] = rng.chance(0.5) ? [21, 32] : [23, 45];
    const pEmail = rng.next();
    for (let i = 0; i < k; i++) {
      suffix += rng.int(1, 7);
      const phone = phones.length && rng.chance(0.18) ? rng.pick(phones) : prefix + String(suffix % 10000).padStart(4, '0');
      phones.push(phone);
      const stolen = rng.chance(0.12) && hubs.legitNationalIds.length > 0;
      const r = rng.next();
      const ids: Ids = {
        nationalId: stolen ? rng.pick(hubs.legitNationalIds) : undefined,
        phone, deviceId: rng.chance(0.9) ? at(devices, Math.floor((i / k) * devices.length + rng.next() * 1.5) % devices.length) : device(rng),
        bankAccount: rng.chance(0.93) ? rng.pick(mules) : account(rng),
        ip: rng.chance(0.7) ? rng.pick(proxies) : mobileIp(),
        email: rng.chance(pEmail) ? junkEmail(rng) : undefined,
        address: r < 0.35 ? homeAddress(rng) : r < 0.6 ? warehouseHub : r < 0.7 ? legitAddress() : rng.pick(drop),
        employer: camouflageEmployer(),
      };
      const { applicant, weak } = makeApplicant(rng, { age: ageBand, weakShare: RING_WEAK_SHARE, migrant: rng.chance(0.6) });
      if (!stolen) ids.nationalId = nationalId(rng, applicant.age, false, codes);
      // Night sessions: a device works through its batch of identities minutes apart.
      const t = t0 + Math.floor(rng.next() * days) * DAY + (i % Math.ceil(k / days)) * rng.int(3, 25) * 60_000 + rng.int(0, 3) * HOUR;
      push({ t: clampTime(t), ring: id, kind: 'sim-bank-farm', applicant, loan: makeLoan(rng, weak, 0.75, applicant.age), ids, region: regionOf(districtOf(ids.address, rng)) });
    }
  }

  function refundRing(id: string, k: number): void {
    const drops = [homeAddress(rng), hubs.warehouses.length && rng.chance(0.5) ? rng.pick(hubs.warehouses) : homeAddress(rng)];
    const payouts = Array.from({ length: rng.int(1, 2) }, () => account(rng));
    const spanDays = rng.int(14, 35);
    const t0 = windowStart(rng, spanDays, 0.6, 3);
    const sharedDevice = device(rng);
    const phones: string[] = [];
    for (let i = 0; i < k; i++) {
      const phone = phones.length && rng.chance(0.12) ? rng.pick(phones) : mobile(rng);
      phones.push(phone);
      const ids: Ids = {
        address: rng.chance(0.85) ? rng.pick(drops) : homeAddress(rng),
        bankAccount: rng.chance(0.8) ? rng.pick(payouts) : account(rng),
        phone, deviceId: rng.chance(0.15) ? sharedDevice : rng.chance(0.9) ? device(rng) : undefined,
        ip: rng.chance(0.6) ? mobileIp() : homeIp(rng),
        email: rng.chance(0.85) ? personalEmail(rng) : undefined,
        employer: rng.chance(0.6) ? camouflageEmployer() : undefined,
      };
      person('refund-ring', { weakShare: RING_WEAK_SHARE, age: [21, 45] }, ids, t0 + rng.next() * spanDays * DAY + timeOfDay(rng), id, 0.5);
    }
  }

  function reviewerFarm(id: string, k: number): void {
    const domain = `${rng.pick(['haoping', 'shuadan', 'youpin', 'jiazhi', 'xingping', 'dianzan'])}${rng.pick(['', '-studio', 'mail', '88', 'vip'])}.${rng.pick(['cn', 'com', 'net', 'top'])}`;
    const devices = Array.from({ length: rng.int(2, 5) }, () => device(rng));
    const officeIps = Array.from({ length: rng.int(1, 2) }, () => homeIp(rng));
    const office = rng.chance(0.6) ? homeAddress(rng) : undefined;
    const employer = rng.chance(0.5) ? companyName(rng) : undefined;
    const firstBurst = windowStart(rng, 25, 0.6, rng.int(-3, 1));
    const bursts = Array.from({ length: rng.int(2, 3) }, (_, b) => firstBurst + (b === 0 ? 0 : rng.int(2, 24)) * DAY + rng.int(9, 22) * HOUR);
    const emails: string[] = [];
    const phones: string[] = [];
    for (let i = 0; i < k; i++) {
      const email = emails.length && rng.chance(0.2) ? rng.pick(emails) : `${rng.pick(SURNAMES)}${rng.pick(PINYIN)}${rng.int(1, 999)}@${domain}`;
      emails.push(email);
      const phone = phones.length && rng.chance(0.2) ? rng.pick(phones) : mobile(rng);
      phones.push(phone);
      const ids: Ids = {
        email: rng.chance(0.9) ? email : personalEmail(rng), phone, bankAccount: account(rng),
        deviceId: rng.chance(0.88) ? rng.pick(devices) : device(rng),
        ip: rng.chance(0.75) ? rng.pick(officeIps) : mobileIp(),
        address: office && rng.chance(0.5) ? office : rng.chance(0.15) ? legitAddress() : homeAddress(rng),
        employer: employer && rng.chance(0.6) ? employer : rng.chance(0.5) ? camouflageEmployer() : undefined,
      };
      const t = rng.pick(bursts) + rng.next() * rng.int(2, 8) * HOUR;
      person('reviewer-farm', { weakShare: RING_WEAK_SHARE, age: [19, 34] }, ids, t, id, 0.65);
    }
  }

  // ---- order, ids, spelling
  drafts.sort((a, b) => a.t - b.t);
  const perDay = new Map<number, number>();
  const members: PopulationMember[] = drafts.map((d) => {
    const local = new Date(d.t + 8 * HOUR);
    const ymd = local.toISOString().slice(0, 10).replace(/-/g, '');
    const seq = (perDay.get(Number(ymd)) ?? 0) + 1;
    perDay.set(Number(ymd), seq);
    const application: Application = {
      applicationId: `EC${ymd}-${String(seq).padStart(5, '0')}`,
      product: d.loan.product, region: d.region, amount: d.loan.amount, termMonths: d.loan.termMonths,
      applicant: d.applicant, identifiers: spell(rng, d.ids),
    };
    return { application, submittedAt: d.t, ring: d.ring, kind: d.kind };
  });
  return { generator: 'ecommerce', seed, members };
}

export const generator: PopulationGenerator = {
  name: 'ecommerce',
  ringShapes: ['sim-bank-farm', 'refund-ring', 'reviewer-farm'],
  legitimateStructures: ['single', 'online-seller', 'livestream-team', 'logistics-staff', 'household'],
  generate,
};
