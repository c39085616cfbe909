// Synthetic population "suburb": a commuter-suburb consumer-credit portfolio over 150 days
// (from Monday 2025-03-03, Asia/Shanghai), applicants in four districts (east/north/south/west)
// of an outer suburb of a large city. Phones are +86 (mobiles 11 digits, landlines 021-...),
// national ids are 18-character resident ids. Roughly WEAK_SHARE (25%) of people are poor credit
// risks; ring members are drawn from the same profile generator with ring-specific weak shares.
//
// Legitimate structures (the `kind` of legitimate members):
//  - single: an individual commuter; own phone/device/email/account. Shares only benign hubs:
//    big local employers, mobile-carrier CGNAT IPs (many strangers behind one IP); ~4% re-apply
//    (same national id, typed differently).
//  - commuter-household: couples, adult children, grandparents at one address. Share address and
//    home broadband IP, sometimes a family tablet (deviceId), the home landline as phone, a joint
//    bank account, rarely a family email; often apply the same evening (joint purchases).
//  - office-park: staff of one employer in the business park. Share the employer, the office
//    NAT IP (lunch-hour applications), occasionally the switchboard number as phone.
//  - car-dealer-finance: customers of a dealership whose F&I desk keys applications on 2-3
//    showroom tablets: dozens of unrelated people share deviceId and IP, sometimes the dealer's
//    generic email; weekends and showroom hours.
//  - care-home-staff: carers (many migrant workers, weaker profiles) of one care home. Share the
//    employer, staff-quarters address, staff Wi-Fi IP, the home's landline, and colleagues'
//    phones (devices) when helped to apply.
//
// Fraud-ring shapes (the `kind` of ring members):
//  - synthetic-bustout: fabricated ids (valid checksums, out-of-area region codes) run from 1-3
//    devices, a few prepaid SIMs reused 2-4 times, 1-3 mail-drop buildings (same or neighbouring
//    flats), mule accounts, a shell employer (or a big local employer as cover); 4-20 day bursts.
//  - stolen-identity: real residents' ids, addresses and employers (often applicants elsewhere in
//    this population) with the fraudster's phones, fresh emails, 1-2 devices, VPN/datacenter IPs
//    and 1-3 mule accounts; 1-6 days, many at night.
//  - straw-buyer-dealer: a broker or a corrupt salesperson (sometimes at a real dealership, so on
//    its tablets and IP) recruits straw buyers for car loans: real distinct ids, fabricated
//    employers, the broker's phone as contact, some payouts to the broker's accounts; 3-10 weeks.
//  - micro-loan-stacking: an organiser has recruits (students, elderly relatives) take micro
//    loans from the organiser's flat: 1-2 devices, one home IP, the organiser's 1-2 accounts and
//    phone for many, pattern emails; one or two 1-3 day waves, recruits re-used across waves.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

const NAME = 'suburb';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 2, 3) - 8 * HOUR; // 2025-03-03 00:00 +08:00, a Monday
const SPAN_DAYS = 150;
/** Share of people who are poor credit risks (this generator's own choice, within 10-40%). */
const WEAK_SHARE = 0.25;
const RING_SHARE_MIN = 0.038;
const RING_SHARE_MAX = 0.052;

const RING_SHAPES = ['synthetic-bustout', 'stolen-identity', 'straw-buyer-dealer', 'micro-loan-stacking'] as const;
const LEGIT = ['single', 'commuter-household', 'office-park', 'car-dealer-finance', 'care-home-staff'] as const;
type Shape = (typeof RING_SHAPES)[number];
type Region = 'east' | 'north' | 'south' | 'west';
const REGIONS: readonly Region[] = ['east', 'north', 'south', 'west'];

// ---------------------------------------------------------------- randomness
type Rng = () => number;
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const chance = (r: Rng, p: number): boolean => r() < p;
function pick<T>(r: Rng, xs: readonly T[]): T {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new Error('pick from empty list');
  return x;
}
function weighted<T>(r: Rng, items: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of items) total += w;
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('weighted from empty list');
  return last[0];
}
const digits = (r: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(int(r, 0, 9));
  return s;
};
const hex = (r: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(r, 0, 15)];
  return s;
};
const logUniform = (r: Rng, lo: number, hi: number): number => Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo)));
const clampDay = (d: number): number => Math.max(0, Math.min(SPAN_DAYS - 1, d));
const at = (day: number, hour: number): number => START + clampDay(day) * DAY + Math.floor(Math.min(hour, 23.99) * HOUR);

// ---------------------------------------------------------------- vocabulary
const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Gao', 'Luo', 'Zheng', 'Tang', 'Shen', 'Qian', 'Lu'];
const GIVEN = ['wei', 'fang', 'min', 'jing', 'lei', 'yan', 'jun', 'hui', 'ping', 'gang', 'xia', 'hao', 'yu', 'qiang', 'na', 'li', 'tao', 'ming', 'chao', 'xin', 'jie', 'lan', 'bo', 'ting', 'rui', 'kai', 'yi', 'dan', 'feng', 'mei'];
const MAIL_DOMAINS = ['163.com', 'qq.com', '126.com', 'outlook.com', 'sina.com', 'foxmail.com'];
const LOCAL_ID_REGIONS = ['310117', '310118', '310114', '310120', '310112'];
const OTHER_ID_REGIONS = ['320102', '340104', '410105', '510104', '430102', '360102', '420106', '130104', '370102', '450103'];
const MOBILE = ['130', '131', '132', '135', '136', '137', '138', '139', '150', '151', '152', '158', '159', '177', '180', '181', '186', '187', '188', '189', '199'];
const PREPAID = ['170', '171', '165', '167'];
const ESTATES: Record<Region, readonly string[]> = {
  east: ['Jinqiao Garden', 'Riverside Court', 'Dongjing New Village', 'Sunshine Mingyuan'],
  north: ['Sheshan Villas', 'Lakeview Residences', 'Beisong Huayuan', 'Greenwood Court'],
  south: ['Chedun New Village', 'Meilin Huayuan', 'Yexie Garden', 'Nanqiao Apartments'],
  west: ['Jiuting Residences', 'Sijing Garden', 'Xipu Mansions', 'Maple Leaf Court'],
};
const ROADS: Record<Region, readonly string[]> = {
  east: ['Huaxia Rd', 'Dongsheng Rd', 'Rongle East Rd'],
  north: ['Sheshan Rd', 'Beisong Hwy', 'Linhu Rd'],
  south: ['Chedun Rd', 'Nanle Rd', 'Yexie Rd'],
  west: ['Jiuxin Rd', 'Sitong Rd', 'Xilin North Rd'],
};
const BIG_EMPLOYERS = [
  'Songjiang Central Hospital', 'Jiuting Logistics Park Co., Ltd.', 'Metro Line 9 Operations Co., Ltd.',
  'Sheshan Precision Machinery Co., Ltd.', 'Hualian Supermarket Co., Ltd.', 'Songjiang No. 2 Middle School',
  'Xinqiao Electronics Co., Ltd.', 'Guangfulin Auto Parts Co., Ltd.', 'Dongjing Pharmaceutical Co., Ltd.',
  'Sijing Food Industry Co., Ltd.', 'Chedun Printing Co., Ltd.', 'District Tax Bureau',
];
const SME_PREFIX = ['Yuhua', 'Jiahe', 'Ruixin', 'Hengtai', 'Dingsheng', 'Baicheng', 'Mingda', 'Huiyuan', 'Kaida', 'Tianrun', 'Xinyue', 'Haoyu', 'Jinfeng', 'Shengda'];
const SME_TRADE = ['Trading', 'Decoration Engineering', 'Catering Management', 'Information Technology', 'Property Management', 'Logistics', 'Garment', 'Education Consulting', 'Mechanical Equipment', 'Advertising'];
const DEALER_BRANDS = ['Songjiang Toyota 4S Store', 'Jiuting Volkswagen Dealership', 'Sheshan BYD Auto Center', 'Xinqiao Honda 4S Store', 'Chedun Used Car Market', 'Sijing Geely Auto Sales'];

// ---------------------------------------------------------------- spelling variants
/** A person's habitual way of typing things (pref), sometimes departed from. */
const variant = (r: Rng, pref: number, n: number, stick = 0.7): number => (r() < stick ? Math.floor(pref * n) % n : int(r, 0, n - 1));

function fmtPhone(r: Rng, national: string, pref: number): string {
  if (national.startsWith('0')) {
    const area = national.slice(1, 3), a = national.slice(3, 7), b = national.slice(7);
    switch (variant(r, pref, 5)) {
      case 0: return `0${area}-${a}${b}`;
      case 1: return `(0${area}) ${a} ${b}`;
      case 2: return `+86 ${area} ${a} ${b}`;
      case 3: return `0086-${area}-${a}${b}`;
      default: return `0${area} ${a} ${b}`;
    }
  }
  const a = national.slice(0, 3), b = national.slice(3, 7), c = national.slice(7);
  switch (variant(r, pref, 7)) {
    case 0: return national;
    case 1: return `${a} ${b} ${c}`;
    case 2: return `+86 ${a} ${b} ${c}`;
    case 3: return `+86${national}`;
    case 4: return `0086 ${national}`;
    case 5: return `${a}-${b}-${c}`;
    default: return `+86-${a}-${b}-${c}`;
  }
}
function fmtNationalId(r: Rng, id: string, pref: number): string {
  switch (variant(r, pref, 5, 0.6)) {
    case 0: case 1: return id;
    case 2: return id.toLowerCase();
    case 3: return `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`;
    default: return `${id.slice(0, 6)}-${id.slice(6, 14)}-${id.slice(14)}`;
  }
}
function fmtBank(r: Rng, acct: string, pref: number): string {
  const groups = acct.match(/.{1,4}/g) ?? [acct];
  switch (variant(r, pref, 3)) {
    case 0: return acct;
    case 1: return groups.join(' ');
    default: return groups.join('-');
  }
}
function fmtEmail(r: Rng, email: string, pref: number): string {
  switch (variant(r, pref, 5)) {
    case 0: case 1: return email;
    case 2: return email.charAt(0).toUpperCase() + email.slice(1);
    case 3: return ` ${email} `;
    default: return email.replace(/^[a-z]+/, (s) => s.charAt(0).toUpperCase() + s.slice(1)).replace(/@.*/, (d) => d.toUpperCase());
  }
}
function fmtAddress(r: Rng, tokens: readonly string[], pref: number): string {
  const joiner = pick(r, [', ', ', ', ' ', ',  ', '; ']);
  let s = tokens.join(joiner);
  const c = variant(r, pref, 4, 0.5);
  if (c === 1) s = s.toLowerCase();
  if (c === 2) s = s.toUpperCase();
  if (c === 3) s = s.replace(/ (Rd|Hwy)$/, ' $1.').replace(/^Rm /, 'Rm. ');
  if (chance(r, 0.1)) s += '.';
  if (chance(r, 0.05)) s = ` ${s}`;
  return s;
}
function fmtEmployer(r: Rng, name: string, pref: number): string {
  switch (variant(r, pref, 5, 0.5)) {
    case 0: case 1: return name;
    case 2: return name.toUpperCase().replace(/[.,]/g, '').replace(/\s+/g, ' ');
    case 3: return name.replace(', ', ',');
    default: return name.toLowerCase().replace(/\./g, '');
  }
}
const fmtDevice = (r: Rng, dev: string): string => (dev.includes('-') && chance(r, 0.45) ? dev.toUpperCase() : dev);
const fmtIp = (r: Rng, ip: string): string => (chance(r, 0.03) ? `::ffff:${ip}` : ip);

// ---------------------------------------------------------------- identifier generation
interface Ctx {
  r: Rng;
  used: Set<string>;
  cgnat: Record<Region, string[]>;
}
function unique(ctx: Ctx, gen: () => string): string {
  for (;;) {
    const v = gen();
    if (!ctx.used.has(v)) {
      ctx.used.add(v);
      return v;
    }
  }
}
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function nationalId(ctx: Ctx, age: number, sex: 'm' | 'f', local: boolean): string {
  const { r } = ctx;
  return unique(ctx, () => {
    const year = 2025 - age - (chance(r, 0.4) ? 1 : 0);
    const body = `${pick(r, local ? LOCAL_ID_REGIONS : OTHER_ID_REGIONS)}${year}${String(int(r, 1, 12)).padStart(2, '0')}${String(int(r, 1, 28)).padStart(2, '0')}${digits(r, 2)}${(int(r, 0, 4) * 2 + (sex === 'm' ? 1 : 0)) % 10}`;
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(body[i]) * (ID_WEIGHTS[i] ?? 0);
    return body + ('10X98765432'[sum % 11] ?? '0');
  });
}
const mobile = (ctx: Ctx, prepaid = false): string => unique(ctx, () => pick(ctx.r, prepaid ? PREPAID : MOBILE) + digits(ctx.r, 8));
const landline = (ctx: Ctx): string => unique(ctx, () => `021${pick(ctx.r, ['5', '6', '3'])}${digits(ctx.r, 7)}`);
const bankAccount = (ctx: Ctx): string => unique(ctx, () => pick(ctx.r, ['622202', '621700', '622848', '621226', '623668', '622588']) + digits(ctx.r, int(ctx.r, 10, 13)));
const device = (ctx: Ctx): string =>
  unique(ctx, () => (chance(ctx.r, 0.45) ? `${hex(ctx.r, 8)}-${hex(ctx.r, 4)}-4${hex(ctx.r, 3)}-a${hex(ctx.r, 3)}-${hex(ctx.r, 12)}` : hex(ctx.r, 16)));
const ipIn = (ctx: Ctx, prefixes: readonly string[]): string => unique(ctx, () => `${pick(ctx.r, prefixes)}.${int(ctx.r, 1, 254)}.${int(ctx.r, 2, 254)}`);
const homeIp = (ctx: Ctx): string => ipIn(ctx, ['116.231', '180.168', '101.86', '58.247', '124.78', '222.66']);
const officeIp = (ctx: Ctx): string => ipIn(ctx, ['61.152', '210.22', '202.96']);
const vpnIp = (ctx: Ctx): string => ipIn(ctx, ['45.77', '103.152', '154.85', '185.220', '139.180']);
function email(ctx: Ctx, surname: string, given: string, birthYear: number): string {
  const { r } = ctx;
  const local = weighted(r, [
    [`${surname}${given}${String(birthYear).slice(2)}`, 3], [`${given}.${surname}`, 2], [`${surname}${given}${int(r, 1, 999)}`, 3], [`${digits(r, 9)}`, 2],
  ] as const).toLowerCase();
  return unique(ctx, () => `${local}${chance(ctx.r, 0.3) ? int(ctx.r, 1, 99) : ''}@${pick(r, MAIL_DOMAINS)}`);
}
function homeAddress(ctx: Ctx, region: Region): string[] {
  const { r } = ctx;
  return [`Rm ${int(r, 1, 18)}${String(int(r, 1, 4)).padStart(2, '0')}`, `Bldg ${int(r, 1, 40)}`, pick(r, ESTATES[region]), `${int(r, 1, 999)} ${pick(r, ROADS[region])}`];
}
const smeName = (r: Rng): string => `${pick(r, SME_PREFIX)} ${pick(r, SME_TRADE)} Co., Ltd.`;

// ---------------------------------------------------------------- people and credit profiles
interface Person {
  nid: string; surname: string; given: string; sex: 'm' | 'f'; age: number; married: boolean; region: Region;
  phone: string; landline?: string; email?: string; address: string[]; bank: string; employer?: string;
  device: string; homeIp: string; foreign: boolean; weak: boolean; employment: string; job: string;
  housing: string; property: string; residenceYears: number; dependents: number; pref: number;
}
interface PersonOpts {
  region?: Region; age?: number; sex?: 'm' | 'f'; married?: boolean; surname?: string; address?: string[];
  homeIp?: string; landline?: string; employer?: string | null; weak?: boolean; foreign?: boolean;
}
function adultAge(r: Rng): number {
  return Math.round(weighted(r, [[int(r, 21, 27), 20], [int(r, 28, 38), 38], [int(r, 39, 50), 28], [int(r, 51, 64), 12], [int(r, 19, 20), 1]] as const));
}
function makePerson(ctx: Ctx, o: PersonOpts = {}): Person {
  const { r } = ctx;
  const region = o.region ?? pick(r, REGIONS);
  const age = o.age ?? adultAge(r);
  const sex = o.sex ?? (chance(r, 0.5) ? 'm' : 'f');
  const weak = o.weak ?? chance(r, WEAK_SHARE);
  const foreign = o.foreign ?? chance(r, 0.3);
  const surname = o.surname ?? pick(r, SURNAMES);
  const given = pick(r, GIVEN) + (chance(r, 0.6) ? pick(r, GIVEN) : '');
  const employer = o.employer === null ? undefined : (o.employer ?? (chance(r, 0.82) ? (chance(r, 0.45) ? pick(r, BIG_EMPLOYERS) : smeName(r)) : undefined));
  const selfEmployed = employer === undefined && chance(r, 0.6);
  const employment = employer === undefined && !selfEmployed
    ? weighted(r, [['unemployed', 6], ['lt_1', 2], ['gt_7', 2]] as const)
    : weak
      ? weighted(r, [['lt_1', 35], ['1_to_4', 40], ['4_to_7', 15], ['gt_7', 10]] as const)
      : weighted(r, [['lt_1', 8], ['1_to_4', 30], ['4_to_7', 27], ['gt_7', 35]] as const);
  const job = selfEmployed
    ? 'management_self_emp_highly_qualified'
    : employment === 'unemployed'
      ? 'unemployed_unskilled'
      : weighted(r, weak
        ? ([['skilled_employee', 50], ['unskilled_resident', 40], ['management_self_emp_highly_qualified', 5], ['unemployed_unskilled', 5]] as const)
        : ([['skilled_employee', 65], ['unskilled_resident', 15], ['management_self_emp_highly_qualified', 20]] as const));
  const housing = weighted(r, weak ? ([['rent', 55], ['own', 30], ['for_free', 15]] as const) : ([['own', 65], ['rent', 28], ['for_free', 7]] as const));
  const married = o.married ?? chance(r, age < 27 ? 0.2 : 0.65);
  const p: Person = {
    nid: nationalId(ctx, age, sex, !foreign || chance(r, 0.2)), surname, given, sex, age, married, region,
    phone: mobile(ctx), address: o.address ?? homeAddress(ctx, region), bank: bankAccount(ctx), device: device(ctx),
    homeIp: o.homeIp ?? homeIp(ctx), foreign, weak, employment, job, housing,
    property: weighted(r, weak ? ([['unknown', 35], ['car_other', 35], ['insurance', 20], ['real_estate', 10]] as const) : ([['real_estate', 35], ['car_other', 30], ['insurance', 22], ['unknown', 13]] as const)),
    residenceYears: int(r, 1, 4), dependents: chance(r, married ? 0.3 : 0.08) ? 2 : 1, pref: r(),
  };
  if (employer !== undefined) p.employer = employer;
  if (chance(r, 0.88)) p.email = email(ctx, surname, given, 2025 - age);
  const ll = o.landline ?? (chance(r, 0.12) ? landline(ctx) : undefined);
  if (ll !== undefined) p.landline = ll;
  return p;
}
function profile(r: Rng, p: Person): Applicant {
  const w = p.weak;
  return {
    age: p.age,
    checkingAccountStatus: weighted(r, w ? ([['lt_0', 45], ['0_to_200', 38], ['none', 12], ['gt_200', 5]] as const) : ([['none', 45], ['0_to_200', 24], ['gt_200', 11], ['lt_0', 20]] as const)),
    creditHistory: weighted(r, w ? ([['paid_duly', 45], ['delay', 18], ['no_credit_all_paid', 15], ['this_bank_all_paid', 15], ['critical', 7]] as const) : ([['paid_duly', 55], ['critical', 30], ['delay', 7], ['this_bank_all_paid', 4], ['no_credit_all_paid', 4]] as const)),
    purpose: 'other',
    savingsAccountBonds: weighted(r, w ? ([['lt_100', 72], ['100_to_500', 14], ['unknown', 14]] as const) : ([['lt_100', 42], ['unknown', 22], ['100_to_500', 12], ['500_to_1000', 10], ['gt_1000', 14]] as const)),
    employmentDuration: p.employment,
    personalStatusSex: p.sex === 'f' ? 'female_not_single' : p.married ? 'male_married_widowed' : chance(r, 0.12) ? 'male_divorced_seperated' : 'male_single',
    otherDebtorsGuarantors: weighted(r, [['none', 90], ['guarantor', 5], ['co_applicant', 5]] as const),
    property: p.property,
    otherInstallmentPlans: weighted(r, w ? ([['none', 62], ['bank', 26], ['stores', 12]] as const) : ([['none', 84], ['bank', 11], ['stores', 5]] as const)),
    housing: p.housing,
    job: p.job,
    installmentRatePct: w ? weighted(r, [[4, 55], [3, 25], [2, 15], [1, 5]] as const) : int(r, 1, 4),
    residenceYears: p.residenceYears,
    existingCredits: w ? weighted(r, [[1, 45], [2, 40], [3, 12], [4, 3]] as const) : weighted(r, [[1, 65], [2, 32], [3, 3]] as const),
    dependents: p.dependents,
    hasTelephone: p.landline !== undefined || chance(r, 0.25),
    foreignWorker: p.foreign,
  };
}

// ---------------------------------------------------------------- loans and applications
type Product = 'personal_loan' | 'micro_loan';
interface LoanOpts { product?: Product; purpose?: string; car?: boolean; big?: boolean }
function loan(r: Rng, age: number, o: LoanOpts): { product: Product; purpose: string; amount: number; termMonths: number } {
  const product: Product = o.product ?? (o.car ? 'personal_loan' : chance(r, 0.7) ? 'personal_loan' : 'micro_loan');
  let purpose: string, amount: number, term: number;
  if (product === 'micro_loan') {
    purpose = o.purpose ?? weighted(r, [['radio_television', 25], ['domestic_appliance', 20], ['repairs', 15], ['other', 25], ['education', 8], ['furniture_equipment', 7]] as const);
    amount = chance(r, 0.006) ? int(r, 31, 50) * 100 : Math.round(logUniform(r, 100, 3000) / 50) * 50;
    term = pick(r, amount < 800 ? [3, 3, 6, 6, 9, 12] : [6, 9, 12, 12, 18, 24]);
  } else {
    purpose = o.purpose ?? (o.car ? (chance(r, 0.55) ? 'used_car' : 'new_car') : weighted(r, [['radio_television', 14], ['furniture_equipment', 18], ['new_car', 7], ['used_car', 9], ['repairs', 11], ['education', 7], ['domestic_appliance', 8], ['business', 6], ['retraining', 3], ['other', 17]] as const));
    const car = purpose === 'new_car' || purpose === 'used_car';
    const raw = chance(r, 0.01) ? int(r, 205, 300) * 100 : car || o.big ? logUniform(r, 5000, 20000) : purpose === 'business' ? logUniform(r, 2000, 20000) : logUniform(r, 500, 15000);
    amount = raw < 5000 ? Math.round(raw / 100) * 100 : Math.round(raw / 500) * 500;
    term = pick(r, amount < 2000 ? [6, 9, 12, 18, 24] : amount < 8000 ? [12, 18, 24, 36, 48] : [24, 36, 48, 60, 72]);
  }
  const maxYears = (product === 'personal_loan' ? 75 : 70) - age;
  const minTerm = product === 'personal_loan' ? 6 : 3;
  term = Math.max(minTerm, Math.min(term, Math.floor(maxYears) * 12));
  return { product, purpose, amount: Math.max(product === 'micro_loan' ? 100 : 300, amount), termMonths: term };
}

/** The canonical identifier values one application carries (undefined: omitted). */
interface Touch {
  nationalId?: string; phone?: string; deviceId?: string; ip?: string; email?: string; address?: string[]; bankAccount?: string; employer?: string;
}
function render(r: Rng, t: Touch, pref: number): RawIdentifiers {
  const out: RawIdentifiers = {};
  if (t.nationalId) out.nationalId = fmtNationalId(r, t.nationalId, pref);
  if (t.phone) out.phone = fmtPhone(r, t.phone, pref);
  if (t.deviceId) out.deviceId = fmtDevice(r, t.deviceId);
  if (t.ip) out.ip = fmtIp(r, t.ip);
  if (t.email) out.email = fmtEmail(r, t.email, pref);
  if (t.address) out.address = fmtAddress(r, t.address, pref);
  if (t.bankAccount) out.bankAccount = fmtBank(r, t.bankAccount, pref);
  if (t.employer) out.employer = fmtEmployer(r, t.employer, pref);
  return out;
}
/** What a person would normally type about themselves. */
function baseTouch(r: Rng, p: Person): Touch {
  const t: Touch = { nationalId: p.nid, phone: p.landline && chance(r, 0.15) ? p.landline : p.phone, address: p.address, bankAccount: p.bank };
  if (p.email && chance(r, 0.92)) t.email = p.email;
  if (p.employer) t.employer = p.employer;
  if (chance(r, 0.02)) delete t.address;
  if (chance(r, 0.03)) delete t.bankAccount;
  return t;
}
/** How a legitimate applicant reaches us: own app/browser (home Wi-Fi or mobile CGNAT) or a branch (no device, no IP). */
function channel(ctx: Ctx, p: Person, t: Touch, dev = p.device): void {
  const { r } = ctx;
  const c = weighted(r, [['app', 60], ['web', 25], ['branch', 15]] as const);
  if (c === 'branch') {
    if (chance(r, 0.3)) delete t.email;
    return;
  }
  t.deviceId = dev;
  t.ip = c === 'app' && chance(r, 0.45) ? pick(r, ctx.cgnat[p.region]) : p.homeIp;
}
function legitHour(r: Rng, day: number): number {
  const weekend = day % 7 >= 5;
  return weighted(r, weekend
    ? ([[int(r, 9, 11), 25], [int(r, 12, 17), 35], [int(r, 19, 22), 35], [int(r, 0, 6), 5]] as const)
    : ([[int(r, 7, 8), 15], [12, 15], [int(r, 9, 17), 20], [int(r, 19, 22), 45], [int(r, 0, 6), 5]] as const)) + r();
}
const legitDay = (r: Rng): number => int(r, 0, SPAN_DAYS - 1);

interface Draft { app: Omit<Application, 'applicationId'>; at: number; ring: string | null; kind: string }
function draft(r: Rng, p: Person, t: Touch, when: number, kind: string, ring: string | null, lo: LoanOpts = {}, tweak?: (a: Applicant) => void): Draft {
  const l = loan(r, p.age, lo);
  const applicant = profile(r, p);
  applicant.purpose = l.purpose;
  tweak?.(applicant);
  const app: Omit<Application, 'applicationId'> = { product: l.product, region: p.region, amount: l.amount, termMonths: l.termMonths, applicant };
  const ids = render(r, t, p.pref);
  if (Object.keys(ids).length > 0) app.identifiers = ids;
  return { app, at: when, ring, kind };
}

// ---------------------------------------------------------------- legitimate structures
interface Hubs {
  dealers: { name: string; devices: string[]; ip: string; email: string; region: Region }[];
  homes: { name: string; quarters: string[]; ip: string; landline: string; region: Region }[];
  legitPeople: Person[];
}
function single(ctx: Ctx, out: Draft[], hubs: Hubs, room: number): number {
  const { r } = ctx;
  const p = makePerson(ctx);
  hubs.legitPeople.push(p);
  const n = room >= 2 && chance(r, 0.04) ? 2 : 1;
  const day = legitDay(r);
  for (let i = 0; i < n; i++) {
    const t = baseTouch(r, p);
    channel(ctx, p, t);
    const d = i === 0 ? day : day + int(r, 1, 40);
    out.push(draft(r, p, t, at(d, legitHour(r, d)), 'single', null));
  }
  return n;
}
function household(ctx: Ctx, out: Draft[], hubs: Hubs, room: number): number {
  const { r } = ctx;
  const region = pick(r, REGIONS);
  const address = homeAddress(ctx, region);
  const ip = homeIp(ctx);
  const ll = chance(r, 0.35) ? landline(ctx) : undefined;
  const headAge = int(r, 27, 58);
  const shared = { region, address, homeIp: ip, ...(ll ? { landline: ll } : {}) };
  const weakHome = chance(r, WEAK_SHARE);
  const head = makePerson(ctx, { ...shared, age: headAge, sex: 'm', married: true, weak: weakHome || chance(r, 0.08) });
  const members = [head, makePerson(ctx, { ...shared, age: Math.max(21, headAge + int(r, -6, 3)), sex: 'f', married: true, weak: weakHome || chance(r, 0.08), employer: chance(r, 0.1) ? (head.employer ?? null) : undefined })];
  const size = Math.min(room, weighted(r, [[2, 60], [3, 25], [4, 11], [5, 4]] as const));
  if (size >= 3 && headAge >= 45) members.push(makePerson(ctx, { ...shared, age: int(r, 21, headAge - 23), surname: head.surname, married: false, weak: chance(r, 0.35) }));
  while (members.length < size) members.push(makePerson(ctx, { ...shared, age: chance(r, 0.5) ? int(r, 58, 66) : int(r, 21, 26), surname: head.surname, married: chance(r, 0.5), weak: chance(r, 0.35), employer: chance(r, 0.5) ? null : undefined }));
  const famDevice = chance(r, 0.3) ? device(ctx) : undefined;
  const jointBank = chance(r, 0.35);
  const famEmail = chance(r, 0.05) ? email(ctx, head.surname, 'family', 2000 + int(r, 0, 20)) : undefined;
  const anchor = legitDay(r);
  const used = members.slice(0, size);
  used.forEach((p, i) => {
    hubs.legitPeople.push(p);
    const t = baseTouch(r, p);
    if (jointBank && i === 1) t.bankAccount = head.bank;
    if (famEmail && i > 0 && chance(r, 0.6)) t.email = famEmail;
    channel(ctx, p, t, famDevice && chance(r, 0.5) ? famDevice : p.device);
    const d = chance(r, 0.4) ? anchor : anchor + int(r, -30, 60);
    const sameEvening = d === anchor;
    out.push(draft(r, p, t, at(d, sameEvening ? 20 + i * 0.3 + r() * 0.25 : legitHour(r, d)), 'commuter-household', null, sameEvening && i < 2 && chance(r, 0.5) ? { product: 'personal_loan', purpose: 'furniture_equipment' } : {}));
  });
  return used.length;
}
function office(ctx: Ctx, out: Draft[], hubs: Hubs, room: number): number {
  const { r } = ctx;
  const employer = chance(r, 0.55) ? pick(r, BIG_EMPLOYERS) : smeName(r);
  const ip = officeIp(ctx), board = landline(ctx);
  const weakRate = 0.12 + r() * 0.2;
  const n = Math.min(room, int(r, 6, 35));
  for (let i = 0; i < n; i++) {
    const p = makePerson(ctx, { employer, weak: chance(r, weakRate) });
    hubs.legitPeople.push(p);
    const t = baseTouch(r, p);
    if (chance(r, 0.07)) t.phone = board;
    let d = legitDay(r);
    if (chance(r, 0.3)) d = Math.floor(d / 30) * 30 + int(r, 10, 16); // around payday
    let hour = legitHour(r, d);
    if (d % 7 < 5 && chance(r, 0.4)) {
      t.deviceId = p.device;
      t.ip = ip;
      hour = 12 + r() * 1.5;
    } else channel(ctx, p, t);
    out.push(draft(r, p, t, at(d, hour), 'office-park', null));
  }
  return n;
}
function dealerCustomers(ctx: Ctx, out: Draft[], hubs: Hubs, room: number): number {
  const { r } = ctx;
  const dealer = pick(r, hubs.dealers);
  const n = Math.min(room, int(r, 12, 60));
  for (let i = 0; i < n; i++) {
    const p = makePerson(ctx, { region: chance(r, 0.7) ? dealer.region : undefined });
    hubs.legitPeople.push(p);
    const t = baseTouch(r, p);
    if (chance(r, 0.3)) delete t.email;
    if (!t.email && chance(r, 0.25)) t.email = dealer.email;
    let d = legitDay(r);
    if (d % 7 < 5 && chance(r, 0.5)) d += 5 - (d % 7); // pushed to the weekend
    if (chance(r, 0.9)) {
      t.deviceId = pick(r, dealer.devices);
      t.ip = dealer.ip;
    } else channel(ctx, p, t);
    out.push(draft(r, p, t, at(d, int(r, 10, 18) + r()), 'car-dealer-finance', null, { car: true }));
  }
  return n;
}
function careHome(ctx: Ctx, out: Draft[], hubs: Hubs, room: number): number {
  const { r } = ctx;
  const home = pick(r, hubs.homes);
  const n = Math.min(room, int(r, 6, 25));
  const staff: Person[] = [];
  for (let i = 0; i < n; i++) {
    const quarters = chance(r, 0.5);
    const address = quarters ? (chance(r, 0.6) ? [`Rm ${int(r, 1, 30)}`, ...home.quarters] : [...home.quarters]) : undefined;
    const p = makePerson(ctx, { region: home.region, employer: home.name, foreign: chance(r, 0.45), weak: chance(r, 0.35), age: int(r, 21, 58), ...(address ? { address } : {}) });
    staff.push(p);
    hubs.legitPeople.push(p);
    const t = baseTouch(r, p);
    if (chance(r, 0.12)) t.phone = home.landline;
    const helper = staff.length > 1 && chance(r, 0.2) ? pick(r, staff) : p;
    if (chance(r, 0.55)) {
      t.deviceId = helper.device;
      t.ip = home.ip;
    } else channel(ctx, p, t, helper.device);
    const d = legitDay(r);
    out.push(draft(r, p, t, at(d, chance(r, 0.4) ? int(r, 14, 15) + r() : legitHour(r, d)), 'care-home-staff', null));
  }
  return n;
}

// ---------------------------------------------------------------- fraud rings
interface RingEnv { ctx: Ctx; out: Draft[]; hubs: Hubs; id: string; n: number }
const nightOrEvening = (r: Rng, night: number): number => (chance(r, night) ? int(r, 0, 4) + r() : int(r, 19, 23) + r());

function syntheticBustout({ ctx, out, id, n }: RingEnv): void {
  const { r } = ctx;
  const start = int(r, 0, SPAN_DAYS - 22), len = int(r, 4, 20);
  const region = pick(r, REGIONS);
  const prepaidShare = 0.3 + r() * 0.5;
  const phones = Array.from({ length: Math.max(1, Math.ceil(n / int(r, 2, 4))) }, () => mobile(ctx, chance(r, prepaidShare)));
  const devices = Array.from({ length: int(r, 1, 3) }, () => device(ctx));
  const flatIp = homeIp(ctx);
  const proxies = Array.from({ length: int(r, 1, 4) }, () => vpnIp(ctx));
  const drops = Array.from({ length: int(r, 1, 3) }, () => homeAddress(ctx, region));
  const mules = Array.from({ length: int(r, 2, 4) }, () => bankAccount(ctx));
  const shells = Array.from({ length: int(r, 1, 2) }, () => smeName(r));
  const domain = pick(r, MAIL_DOMAINS);
  const thin = r() * 0.4;
  let made = 0;
  while (made < n) {
    const p = makePerson(ctx, { region, age: int(r, 23, 44), foreign: chance(r, 0.5), weak: chance(r, 0.18), employer: null });
    p.nid = nationalId(ctx, p.age, p.sex, chance(r, 0.3));
    p.email = unique(ctx, () => `${p.given}${p.surname}${int(r, 1980, 2001)}@${domain}`.toLowerCase());
    const drop = pick(r, drops);
    p.address = chance(r, 0.5) ? drop : [`Rm ${int(r, 1, 18)}0${int(r, 1, 4)}`, ...drop.slice(1)];
    p.employer = weighted(r, [[pick(r, shells), 60], [pick(r, BIG_EMPLOYERS), 25], ['', 15]] as const) || undefined;
    if (!p.employer) p.job = 'management_self_emp_highly_qualified';
    const apps = made + 1 < n && chance(r, 0.15) ? 2 : 1;
    for (let k = 0; k < apps; k++) {
      const t = baseTouch(r, p);
      t.email = p.email;
      t.phone = pick(r, phones);
      if (chance(r, 0.75)) t.bankAccount = pick(r, mules);
      t.deviceId = pick(r, devices);
      t.ip = weighted(r, [[flatIp, 45], [pick(r, proxies), 30], [pick(r, ctx.cgnat[region]), 25]] as const);
      const d = start + int(r, 0, len) + k * int(r, 1, 4);
      out.push(draft(r, p, t, at(d, nightOrEvening(r, 0.25)), 'synthetic-bustout', id, k === 0 ? { product: chance(r, 0.8) ? 'personal_loan' : 'micro_loan', big: chance(r, 0.5) } : { product: 'micro_loan' },
        (a) => { if (chance(r, thin)) a.creditHistory = 'no_credit_all_paid'; }));
      made++;
    }
  }
}
function stolenIdentity({ ctx, out, hubs, id, n }: RingEnv): void {
  const { r } = ctx;
  const start = int(r, 0, SPAN_DAYS - 7), len = int(r, 1, 6);
  const phones = Array.from({ length: int(r, 1, 3) }, () => mobile(ctx, chance(r, 0.5)));
  const devices = Array.from({ length: int(r, 1, 2) }, () => device(ctx));
  const ips = Array.from({ length: int(r, 2, 6) }, () => vpnIp(ctx));
  const mules = Array.from({ length: int(r, 1, 3) }, () => bankAccount(ctx));
  const domain = pick(r, ['outlook.com', 'gmail.com', 'qq.com', 'proton.me']);
  const night = 0.3 + r() * 0.3;
  const victims = hubs.legitPeople.filter((v) => !v.weak && v.age >= 25);
  for (let i = 0; i < n; i++) {
    const v = victims.length > 0 && chance(r, 0.75) ? pick(r, victims) : makePerson(ctx, { weak: chance(r, 0.1) });
    const p: Person = { ...v, pref: r() };
    const t: Touch = { nationalId: v.nid, phone: pick(r, phones), deviceId: pick(r, devices), ip: pick(r, ips), bankAccount: pick(r, mules) };
    if (chance(r, 0.92)) t.address = v.address;
    if (v.employer && chance(r, 0.7)) t.employer = v.employer;
    if (chance(r, 0.8)) t.email = unique(ctx, () => `${v.surname}${hex(r, 4)}${int(r, 10, 99)}@${domain}`.toLowerCase());
    const d = start + int(r, 0, len);
    out.push(draft(r, p, t, at(d, nightOrEvening(r, night)), 'stolen-identity', id, { product: chance(r, 0.7) ? 'personal_loan' : 'micro_loan', big: chance(r, 0.6) }));
  }
}
function strawBuyers({ ctx, out, hubs, id, n }: RingEnv): void {
  const { r } = ctx;
  const start = int(r, 0, SPAN_DAYS - 25), len = int(r, 20, 70);
  const corrupt = hubs.dealers.length > 0 && chance(r, 0.5) ? pick(r, hubs.dealers) : undefined;
  const region = corrupt?.region ?? pick(r, REGIONS);
  const devices = corrupt ? corrupt.devices : [device(ctx)];
  const ip = corrupt ? corrupt.ip : officeIp(ctx);
  const brokerPhone = mobile(ctx);
  const brokerAccts = Array.from({ length: int(r, 1, 2) }, () => bankAccount(ctx));
  const fakeEmployers = Array.from({ length: int(r, 1, 2) }, () => smeName(r));
  const phoneShare = 0.4 + r() * 0.3, empShare = 0.6 + r() * 0.3;
  const brokerDomain = `${pick(r, SME_PREFIX).toLowerCase()}auto.com`;
  const buildings = Array.from({ length: int(r, 1, 2) }, () => homeAddress(ctx, region).slice(1));
  for (let i = 0; i < n; i++) {
    const p = makePerson(ctx, { region: chance(r, 0.8) ? region : undefined, weak: chance(r, 0.35), age: int(r, 22, 55) });
    if (chance(r, 0.2)) p.address = [`Rm ${int(r, 1, 18)}0${int(r, 1, 4)}`, ...pick(r, buildings)];
    if (chance(r, empShare)) {
      p.employer = pick(r, fakeEmployers);
      p.job = 'skilled_employee';
      p.employment = pick(r, ['1_to_4', '4_to_7']);
    }
    const t = baseTouch(r, p);
    if (chance(r, phoneShare)) t.phone = brokerPhone;
    if (chance(r, 0.25)) t.bankAccount = pick(r, brokerAccts);
    if (chance(r, 0.35)) t.email = unique(ctx, () => `${p.surname}${p.given}${int(r, 1, 99)}@${brokerDomain}`.toLowerCase());
    else if (chance(r, 0.3)) delete t.email;
    if (chance(r, 0.92)) {
      t.deviceId = pick(r, devices);
      t.ip = ip;
    } else channel(ctx, p, t);
    const d = start + int(r, 0, len);
    out.push(draft(r, p, t, at(d, int(r, 10, 18) + r()), 'straw-buyer-dealer', id, { car: true, big: true }));
  }
}
function microStacking({ ctx, out, id, n }: RingEnv): void {
  const { r } = ctx;
  const region = pick(r, REGIONS);
  const org = makePerson(ctx, { region });
  const devices = Array.from({ length: int(r, 1, 2) }, () => device(ctx));
  const accts = [org.bank, ...(chance(r, 0.5) ? [bankAccount(ctx)] : [])];
  const acctShare = 0.55 + r() * 0.3, phoneShare = 0.2 + r() * 0.3;
  const first = int(r, 0, SPAN_DAYS - 4);
  const waves = [first];
  if (n >= 10 && first < SPAN_DAYS - 45 && chance(r, 0.5)) waves.push(first + int(r, 14, 40));
  const stem = pick(r, ['xq', 'hy', 'jl', 'mm', 'tt', 'zx']) + int(r, 1, 9);
  const recruits: Person[] = [];
  for (let i = 0; i < n; i++) {
    const wave = waves.length > 1 && i >= Math.ceil(n * 0.55) ? 1 : 0;
    const again = wave === 1 && recruits.length > 0 && chance(r, 0.4);
    const p = again ? pick(r, recruits) : makePerson(ctx, { region, age: chance(r, 0.65) ? int(r, 20, 29) : int(r, 55, 64), weak: chance(r, 0.3), employer: chance(r, 0.5) ? null : undefined });
    if (!again) {
      if (chance(r, 0.25)) p.address = org.address;
      if (chance(r, 0.5)) p.email = unique(ctx, () => `${stem}${p.surname}${int(r, 10, 999)}@${org.email?.split('@')[1] ?? '163.com'}`.toLowerCase());
      recruits.push(p);
    }
    const t = baseTouch(r, p);
    if (chance(r, acctShare)) t.bankAccount = pick(r, accts);
    if (chance(r, phoneShare)) t.phone = org.phone;
    t.deviceId = pick(r, devices);
    t.ip = chance(r, 0.7) ? org.homeIp : pick(r, ctx.cgnat[region]);
    const d = (waves[wave] ?? first) + int(r, 0, 2);
    out.push(draft(r, p, t, at(d, int(r, 18, 23) + r()), 'micro-loan-stacking', id, { product: chance(r, 0.9) ? 'micro_loan' : 'personal_loan' }));
  }
}
const RING_MAKERS: Record<Shape, { make: (e: RingEnv) => void; size: (r: Rng) => number }> = {
  'synthetic-bustout': { make: syntheticBustout, size: (r) => int(r, 5, 18) },
  'stolen-identity': { make: stolenIdentity, size: (r) => int(r, 4, 12) },
  'straw-buyer-dealer': { make: strawBuyers, size: (r) => int(r, 6, 22) },
  'micro-loan-stacking': { make: microStacking, size: (r) => int(r, 8, 30) },
};

// ---------------------------------------------------------------- the generator
function generate({ seed, size = 3000 }: { readonly seed: number; readonly size?: number }): Population {
  const total = Math.max(1, Math.round(size));
  const r = mulberry32((Math.imul(seed | 0, 0x9e3779b1) ^ 0x5b0b) >>> 0);
  const ctx: Ctx = { r, used: new Set(), cgnat: { east: [], north: [], south: [], west: [] } };
  const poolSize = Math.max(12, Math.round(total / 60));
  for (const reg of REGIONS) ctx.cgnat[reg] = Array.from({ length: poolSize }, () => ipIn(ctx, ['223.104', '117.136', '112.65', '39.144']));
  const hubs: Hubs = { dealers: [], homes: [], legitPeople: [] };
  const nDealers = Math.max(3, Math.round(total / 800));
  for (let i = 0; i < nDealers; i++) {
    const name = `${pick(r, DEALER_BRANDS)}${i >= DEALER_BRANDS.length ? ` ${i}` : ''}`;
    hubs.dealers.push({ name, devices: Array.from({ length: int(r, 2, 3) }, () => device(ctx)), ip: officeIp(ctx), email: `finance${i + 1}@${pick(r, SME_PREFIX).toLowerCase()}motors.com`, region: pick(r, REGIONS) });
  }
  const nHomes = Math.max(2, Math.round(total / 1200));
  for (let i = 0; i < nHomes; i++) {
    const region = pick(r, REGIONS);
    hubs.homes.push({ name: `${pick(r, ['Yiyang', 'Kangning', 'Fushou', 'Anxin', 'Songhe'])} Care Home${i >= 5 ? ` No. ${i}` : ''}`, quarters: ['Staff Quarters', `${int(r, 1, 400)} ${pick(r, ROADS[region])}`], ip: officeIp(ctx), landline: landline(ctx), region });
  }

  // Ring sizes first (they count applications), then legitimate structures fill the rest.
  const budget = Math.round(total * (RING_SHARE_MIN + r() * (RING_SHARE_MAX - RING_SHARE_MIN)));
  const plan: { shape: Shape; n: number }[] = [];
  let remaining = budget;
  const perShape = budget >= 60 ? 2 : 1;
  let mandatory = perShape * RING_SHAPES.length;
  for (let k = 0; k < perShape; k++) {
    for (const shape of RING_SHAPES) {
      mandatory--;
      const cap = Math.min(30, remaining - 4 * mandatory);
      if (cap < 4) continue;
      const n = Math.min(RING_MAKERS[shape].size(r), cap);
      plan.push({ shape, n });
      remaining -= n;
    }
  }
  while (remaining >= 4) {
    const shape = pick(r, RING_SHAPES);
    let n = Math.min(RING_MAKERS[shape].size(r), remaining);
    if (remaining - n < 4) n = Math.min(30, remaining);
    plan.push({ shape, n });
    remaining -= n;
  }
  const ringTotal = plan.reduce((s, p) => s + p.n, 0);

  const drafts: Draft[] = [];
  let legit = total - ringTotal;
  while (legit > 0) {
    const kind = weighted(r, [['single', 43], ['commuter-household', 8.5], ['office-park', 0.75], ['car-dealer-finance', 0.28], ['care-home-staff', 0.5]] as const);
    const maker = { single, 'commuter-household': household, 'office-park': office, 'car-dealer-finance': dealerCustomers, 'care-home-staff': careHome }[kind];
    legit -= maker(ctx, drafts, hubs, legit);
  }
  const seen: Record<string, number> = {};
  for (const { shape, n } of plan) {
    seen[shape] = (seen[shape] ?? 0) + 1;
    RING_MAKERS[shape].make({ ctx, out: drafts, hubs, id: `${NAME}-${shape}-${seen[shape]}`, n });
  }

  const order = drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.at - b.d.at || a.i - b.i);
  const members: PopulationMember[] = order.map(({ d }, i) => {
    const date = new Date(d.at + 8 * HOUR).toISOString().slice(0, 10).replace(/-/g, '');
    const application: Application = { applicationId: `sb-${date}-${String(i + 1).padStart(6, '0')}`, ...d.app };
    return { application, submittedAt: d.at, ring: d.ring, kind: d.kind };
  });
  return { generator: NAME, seed, members };
}

export const generator: PopulationGenerator = {
  name: NAME,
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT,
  generate,
};
