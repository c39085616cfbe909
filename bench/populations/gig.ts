// Synthetic population "gig": a city lending portfolio over 150 days dominated by the gig economy.
// Legitimate applicants share identifiers benignly (households, fleet depots, caregivers, students'
// parents, market halls, carrier NAT addresses, big platform employers, bank branches); fraud rings
// (account takeover, bust-out, courier drop points, collusive merchants) share them because they run
// on few phones, devices and mule accounts, and camouflage themselves on the same public hubs.
// Written without reference to the detector (src/graph) or to the other generators.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------- parameters of this generator
/** Share of legitimate applicants drawn with a weak (poor-risk) credit profile. */
const WEAK_SHARE = 0.24;
/** Share of ring members drawn with a weak credit profile (rings dress their identities up). */
const RING_WEAK_SHARE = 0.18;
/** Target share of applications that belong to fraud rings. */
const RING_SHARE = 0.045;
const SPAN_DAYS = 150;
/** 2025-03-03 00:00 local time (UTC+8). */
const START = Date.UTC(2025, 2, 2, 16, 0, 0);
const DAY = 86_400_000;
const HOUR = 3_600_000;

const RING_SHAPES = ['account-takeover', 'bust-out', 'courier-drop', 'collusive-merchant'] as const;
const LEGIT = ['single', 'household', 'fleet-drivers', 'caregiver-assisted', 'co-signed-students', 'small-merchants'] as const;
type Shape = (typeof RING_SHAPES)[number];
type Structure = (typeof LEGIT)[number];

// ---------------------------------------------------------------- PRNG (sfc32 seeded via splitmix32)
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
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  uni(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    const v = xs[Math.floor(this.next() * xs.length)];
    if (v === undefined) throw new Error('pick from empty list');
    return v;
  }
  /** Zipf-like pick: early entries are hubs. */
  skewed<T>(xs: readonly T[], power = 1.6): T {
    const v = xs[Math.floor(Math.pow(this.next(), power) * xs.length)];
    if (v === undefined) throw new Error('pick from empty list');
    return v;
  }
  w<K extends string | number>(table: Readonly<Record<K, number>>): K {
    const entries = Object.entries(table) as [string, number][];
    let total = 0;
    for (const [, x] of entries) total += x;
    let r = this.next() * total;
    for (const [k, x] of entries) {
      r -= x;
      if (r < 0) return (/^\d+$/.test(k) ? Number(k) : k) as K;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('empty table');
    return (/^\d+$/.test(last[0]) ? Number(last[0]) : last[0]) as K;
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
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
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

// ---------------------------------------------------------------- the city
const REGIONS = ['east', 'north', 'south', 'west'] as const;
type Region = (typeof REGIONS)[number];
const DISTRICTS: Record<Region, readonly { name: string; code: string }[]> = {
  east: [{ name: 'Riverside', code: '440303' }, { name: 'Eastgate', code: '440308' }, { name: 'Harbour', code: '440311' }],
  north: [{ name: 'Hillcrest', code: '440306' }, { name: 'Northfield', code: '440309' }, { name: 'Lakeview', code: '440310' }],
  south: [{ name: 'Bayshore', code: '440305' }, { name: 'Southpark', code: '440307' }, { name: 'Seawall', code: '440312' }],
  west: [{ name: 'Westlake', code: '440304' }, { name: 'Orchard', code: '440313' }, { name: 'Ironbridge', code: '440314' }],
};
const STREETS = [
  'Jianshe', 'Renmin', 'Zhongshan', 'Xinhua', 'Heping', 'Yingbin', 'Binhe', 'Chaoyang', 'Wenhua', 'Gongye',
  'Dongfeng', 'Huaqiang', 'Shennan', 'Baoan', 'Meilin', 'Longhua', 'Nanshan', 'Xiangmi', 'Taoyuan', 'Qiaoxiang',
];
const SURNAMES = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'lin', 'luo', 'gao', 'zheng', 'liang', 'xie', 'tang', 'deng', 'feng', 'han', 'cao'];
const GIVEN = ['wei', 'fang', 'min', 'jing', 'lei', 'jun', 'yan', 'yong', 'jie', 'tao', 'ming', 'chao', 'xiu', 'hui', 'qiang', 'ping', 'gang', 'lin', 'hao', 'yu', 'xin', 'bo', 'dan', 'ning', 'kai', 'rui', 'ting', 'xiaoyu', 'zihan', 'haoran', 'yuxuan', 'shuang', 'peng', 'long'];
const MAIL = ['qq.com', '163.com', '126.com', 'sina.com', 'foxmail.com', 'outlook.com', 'gmail.com', 'aliyun.com'];
const PLATFORMS = [
  'Dash Courier Technology Co., Ltd.', 'RideNow Mobility Services Co., Ltd.', 'QuickBite Delivery Co., Ltd.',
  'CityVan Freight Platform Co., Ltd.', 'FreshRun Grocery Express Co., Ltd.', 'HomeHelp Services Platform Co., Ltd.',
];
const CORP_WORDS_A = ['Golden', 'Pearl', 'Silver', 'Bright', 'Harmony', 'Evergreen', 'Sunrise', 'Dragon', 'Jade', 'Oriental', 'Prosper', 'Summit', 'Unity', 'Phoenix', 'Crystal', 'Lotus', 'Horizon', 'Grand', 'Rapid', 'Lucky'];
const CORP_WORDS_B = ['Electronics', 'Trading', 'Logistics', 'Textile', 'Hotel Management', 'Construction', 'Medical Devices', 'Software', 'Catering', 'Property Management', 'Printing', 'Auto Parts', 'Cosmetics', 'Education Consulting', 'Precision Machinery'];

interface Ctx {
  r: Rng;
  used: Set<string>;
  carrierIps: string[];
  branchIps: string[];
  corporates: string[];
}

function unique(ctx: Ctx, make: () => string): string {
  for (;;) {
    const v = make();
    if (!ctx.used.has(v)) {
      ctx.used.add(v);
      return v;
    }
  }
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function nationalId(ctx: Ctx, region: Region, age: number, male: boolean): string {
  const { r } = ctx;
  return unique(ctx, () => {
    const area = r.chance(0.7) ? r.pick(DISTRICTS[region]).code : r.pick(['110105', '310115', '420106', '430104', '450102', '510107', '360102', '350203', '130102', '410105', '370102', '520102']);
    const year = 2025 - age - (r.chance(0.4) ? 1 : 0);
    const date = `${year}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}`;
    let seq = r.int(0, 999);
    if ((seq % 2 === 1) !== male) seq = (seq + 1) % 1000;
    const body = area + date + String(seq).padStart(3, '0');
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(body[i]) * (ID_WEIGHTS[i] ?? 0);
    return body + ('10X98765432'[sum % 11] ?? '0');
  });
}
const mobile = (ctx: Ctx) => unique(ctx, () => ctx.r.pick(['138', '139', '137', '135', '136', '150', '151', '158', '159', '186', '185', '188', '176', '177', '133', '153', '189', '199', '166']) + ctx.r.digits(8));
const account = (ctx: Ctx) => unique(ctx, () => ctx.r.pick(['6222', '6217', '6228', '6214', '6225', '6226']) + ctx.r.digits(ctx.r.chance(0.8) ? 15 : 12));
const androidId = (ctx: Ctx) => unique(ctx, () => ctx.r.hex(16));
const iosId = (ctx: Ctx) => unique(ctx, () => `${ctx.r.hex(8)}-${ctx.r.hex(4)}-4${ctx.r.hex(3)}-${ctx.r.pick(['8', '9', 'a', 'b'])}${ctx.r.hex(3)}-${ctx.r.hex(12)}`);
const phoneDevice = (ctx: Ctx) => (ctx.r.chance(0.35) ? iosId(ctx) : androidId(ctx));
const terminalId = (ctx: Ctx) => unique(ctx, () => `pos-${ctx.r.pick(['p30', 'a920', 'n910', 'x990'])}-${ctx.r.digits(10)}`);
const quad = (ctx: Ctx, firsts: readonly string[]) => unique(ctx, () => `${ctx.r.pick(firsts)}.${ctx.r.int(0, 255)}.${ctx.r.int(1, 254)}`);
const homeIp = (ctx: Ctx) => quad(ctx, ['58.61', '183.14', '113.88', '120.229', '119.123', '14.127', '116.30', '59.40']);
const vpnIp = (ctx: Ctx) => quad(ctx, ['45.137', '103.152', '185.220', '91.132', '154.16', '38.54']);
function homeAddress(ctx: Ctx, region: Region): string {
  const { r } = ctx;
  return unique(ctx, () => `Room ${r.int(1, 32)}${String(r.int(1, 8)).padStart(2, '0')}, Building ${r.int(1, 24)}, ${r.int(1, 480)} ${r.pick(STREETS)} Road, ${r.pick(DISTRICTS[region]).name} District`);
}
function emailFor(ctx: Ctx, given: string, surname: string, birthYear: number): string {
  const { r } = ctx;
  return unique(ctx, () => {
    const local = r.w({ a: 3, b: 2, c: 2, d: 1 });
    const body = local === 'a' ? `${given}.${surname}${r.int(1, 99)}` : local === 'b' ? `${surname}${given}${birthYear % 100}` : local === 'c' ? `${given}${surname}${r.int(100, 9999)}` : r.digits(r.int(8, 10)).replace(/^0/, '1');
    return `${body}@${r.pick(MAIL)}`;
  });
}
const corporateName = (ctx: Ctx) => unique(ctx, () => `${ctx.r.pick(CORP_WORDS_A)} ${ctx.r.pick(STREETS)} ${ctx.r.pick(CORP_WORDS_B)} Co., Ltd.`);

// ---------------------------------------------------------------- how applicants type identifiers
function vPhone(r: Rng, n: string): string {
  switch (r.w({ bare: 34, plus: 20, plusSp: 16, dbl: 8, dblSp: 5, cc: 5, paren: 4, dash: 8 })) {
    case 'bare': return n;
    case 'plus': return `+86${n}`;
    case 'plusSp': return `+86 ${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
    case 'dbl': return `0086${n}`;
    case 'dblSp': return `0086 ${n}`;
    case 'cc': return `86-${n}`;
    case 'paren': return `(+86) ${n}`;
    default: return `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
  }
}
function vNationalId(r: Rng, id: string): string {
  switch (r.w({ plain: 70, lower: 8, spaced: 14, dashed: 5, pad: 3 })) {
    case 'plain': return id;
    case 'lower': return id.toLowerCase();
    case 'spaced': return `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`;
    case 'dashed': return `${id.slice(0, 6)}-${id.slice(6, 14)}-${id.slice(14)}`;
    default: return ` ${id} `;
  }
}
function vAccount(r: Rng, a: string): string {
  switch (r.w({ plain: 60, fours: 30, dashes: 10 })) {
    case 'plain': return a;
    case 'fours': return a.replace(/(\d{4})(?=\d)/g, '$1 ');
    default: return a.replace(/(\d{4})(?=\d)/g, '$1-');
  }
}
function vDevice(r: Rng, d: string): string {
  const ios = d.includes('-') && !d.startsWith('pos-');
  const upper = ios || d.startsWith('pos-') ? r.chance(0.85) : r.chance(0.06);
  const s = upper ? d.toUpperCase() : d;
  return r.chance(0.03) ? `${s} ` : s;
}
function vIp(r: Rng, ip: string): string {
  const x = r.next();
  if (x < 0.9) return ip;
  if (x < 0.97) return `::ffff:${ip}`;
  return ip.split('.').map((o) => o.padStart(3, '0')).join('.');
}
function vEmail(r: Rng, e: string): string {
  const x = r.next();
  if (x < 0.8) return e;
  if (x < 0.9) return e.replace(/^./, (c) => c.toUpperCase()).replace(/\.(\w)/, (_m, c: string) => `.${c.toUpperCase()}`);
  if (x < 0.96) return e.toUpperCase();
  return ` ${e}`;
}
function vText(r: Rng, t: string): string {
  switch (r.w({ same: 50, lower: 12, upper: 7, noComma: 11, tight: 8, spaces: 7, dots: 5 })) {
    case 'same': return t;
    case 'lower': return t.toLowerCase();
    case 'upper': return t.toUpperCase();
    case 'noComma': return t.replace(/,/g, '');
    case 'tight': return t.replace(/, /g, ',');
    case 'spaces': return `  ${t.replace(/ /g, '  ')}`;
    default: return `${t.replace(/\.$/, '')}.`;
  }
}

/** Canonical (underlying) identifiers of one application; rendered as typed by vRender. */
interface Ids {
  nationalId?: string;
  phone?: string;
  deviceId?: string;
  ip?: string;
  email?: string;
  address?: string;
  bankAccount?: string;
  employer?: string;
}
function vRender(r: Rng, ids: Ids): RawIdentifiers {
  const out: RawIdentifiers = {};
  if (ids.nationalId) out.nationalId = vNationalId(r, ids.nationalId);
  if (ids.phone) out.phone = vPhone(r, ids.phone);
  if (ids.deviceId) out.deviceId = vDevice(r, ids.deviceId);
  if (ids.ip) out.ip = vIp(r, ids.ip);
  if (ids.email) out.email = vEmail(r, ids.email);
  if (ids.address) out.address = vText(r, ids.address);
  if (ids.bankAccount) out.bankAccount = vAccount(r, ids.bankAccount);
  if (ids.employer) out.employer = vText(r, ids.employer);
  return out;
}

// ---------------------------------------------------------------- people and credit profiles
type Persona = 'gig' | 'office' | 'self' | 'elderly' | 'student' | 'merchant' | 'homemaker';
interface Person {
  region: Region;
  age: number;
  male: boolean;
  surname: string;
  given: string;
  nationalId: string;
  phone: string;
  device: string;
  email?: string;
  address: string;
  bankAccount: string;
  employer?: string;
  homeIp: string;
  profile: Applicant;
  persona: Persona;
  weak: boolean;
}

function makeApplicant(r: Rng, persona: Persona, weak: boolean, age: number, male: boolean, opts: { housing?: Applicant['housing']; foreign?: boolean; married?: boolean } = {}): Applicant {
  const married = opts.married ?? (age > 27 ? r.chance(0.65) : r.chance(0.15));
  const employment: Record<string, number> =
    persona === 'student' ? { unemployed: 35, lt_1: 50, '1_to_4': 15 }
    : persona === 'elderly' ? { unemployed: 55, gt_7: 35, '4_to_7': 10 }
    : persona === 'gig' ? { lt_1: 28, '1_to_4': 46, '4_to_7': 15, gt_7: 8, unemployed: 3 }
    : persona === 'homemaker' ? { unemployed: 45, lt_1: 25, '1_to_4': 30 }
    : { lt_1: 12, '1_to_4': 33, '4_to_7': 22, gt_7: 30, unemployed: 3 };
  if (weak) {
    employment.lt_1 = (employment.lt_1 ?? 0) * 1.8 + 5;
    employment.unemployed = (employment.unemployed ?? 0) * 1.6 + 3;
  }
  const job: Record<string, number> =
    persona === 'student' ? { unemployed_unskilled: 55, unskilled_resident: 35, skilled_employee: 10 }
    : persona === 'elderly' ? { unemployed_unskilled: 35, unskilled_resident: 30, skilled_employee: 30, management_self_emp_highly_qualified: 5 }
    : persona === 'gig' ? { skilled_employee: 50, unskilled_resident: 42, unemployed_unskilled: 3, management_self_emp_highly_qualified: 5 }
    : persona === 'self' || persona === 'merchant' ? { management_self_emp_highly_qualified: 55, skilled_employee: 35, unskilled_resident: 10 }
    : persona === 'homemaker' ? { unskilled_resident: 50, unemployed_unskilled: 25, skilled_employee: 25 }
    : { skilled_employee: 68, management_self_emp_highly_qualified: 20, unskilled_resident: 12 };
  const purpose: Record<string, number> =
    persona === 'student' ? { education: 35, radio_television: 25, retraining: 10, furniture_equipment: 10, other: 12, used_car: 8 }
    : persona === 'gig' ? { used_car: 26, new_car: 8, radio_television: 14, repairs: 12, business: 10, furniture_equipment: 10, domestic_appliance: 6, retraining: 6, other: 8 }
    : persona === 'merchant' || persona === 'self' ? { business: 45, repairs: 12, furniture_equipment: 12, used_car: 12, new_car: 6, other: 13 }
    : persona === 'elderly' ? { repairs: 30, domestic_appliance: 20, furniture_equipment: 20, other: 20, radio_television: 10 }
    : { radio_television: 24, new_car: 16, furniture_equipment: 18, used_car: 14, education: 5, repairs: 5, domestic_appliance: 4, business: 6, retraining: 2, other: 6 };
  return {
    age,
    checkingAccountStatus: weak ? r.w({ lt_0: 44, '0_to_200': 34, none: 14, gt_200: 8 }) : r.w({ none: 58, '0_to_200': 20, lt_0: 8, gt_200: 14 }),
    creditHistory: persona === 'student' && r.chance(0.5) ? 'no_credit_all_paid'
      : weak ? r.w({ paid_duly: 44, no_credit_all_paid: 14, this_bank_all_paid: 14, delay: 16, critical: 12 }) : r.w({ paid_duly: 50, critical: 40, delay: 6, this_bank_all_paid: 2, no_credit_all_paid: 2 }),
    purpose: r.w(purpose),
    savingsAccountBonds: weak ? r.w({ lt_100: 70, '100_to_500': 12, unknown: 12, '500_to_1000': 4, gt_1000: 2 }) : r.w({ lt_100: 30, '100_to_500': 12, '500_to_1000': 12, gt_1000: 14, unknown: 32 }),
    employmentDuration: r.w(employment),
    personalStatusSex: !male ? 'female_not_single' : married ? 'male_married_widowed' : r.chance(persona === 'elderly' ? 0.3 : 0.1) ? 'male_divorced_seperated' : 'male_single',
    otherDebtorsGuarantors: persona === 'student' ? r.w({ co_applicant: 45, guarantor: 30, none: 25 }) : r.w({ none: 90, co_applicant: 4, guarantor: 6 }),
    property: persona === 'student' ? r.w({ unknown: 50, insurance: 35, car_other: 15 })
      : weak ? r.w({ unknown: 38, car_other: 32, insurance: 20, real_estate: 10 }) : r.w({ real_estate: 38, insurance: 24, car_other: 30, unknown: 8 }),
    otherInstallmentPlans: weak ? r.w({ none: 64, bank: 22, stores: 14 }) : r.w({ none: 90, bank: 7, stores: 3 }),
    housing: opts.housing ?? (persona === 'student' ? r.w({ for_free: 60, rent: 40 }) : persona === 'elderly' ? r.w({ own: 70, for_free: 20, rent: 10 }) : (weak ? r.w({ rent: 55, own: 30, for_free: 15 }) : r.w({ rent: 30, own: 65, for_free: 5 }))),
    job: r.w(job),
    installmentRatePct: weak ? r.w({ 4: 52, 3: 22, 2: 16, 1: 10 }) : r.w({ 4: 28, 3: 17, 2: 29, 1: 26 }),
    residenceYears: persona === 'elderly' ? r.w({ 4: 80, 3: 12, 2: 8 }) : r.w({ 1: 14, 2: 32, 3: 16, 4: 38 }),
    existingCredits: persona === 'student' ? 1 : r.w({ 1: 62, 2: 32, 3: 5, 4: 1 }),
    dependents: persona === 'student' ? 1 : r.chance(married ? 0.25 : 0.08) ? 2 : 1,
    hasTelephone: persona === 'elderly' ? r.chance(0.75) : r.chance(0.35),
    foreignWorker: opts.foreign ?? r.chance(0.06),
  };
}

function newPerson(ctx: Ctx, persona: Persona, region: Region, opts: { age?: number; weak?: boolean; surname?: string; address?: string; housing?: Applicant['housing']; foreign?: boolean; married?: boolean; employer?: string | null; male?: boolean } = {}): Person {
  const { r } = ctx;
  const age = opts.age ?? (persona === 'student' ? r.int(18, 24) : persona === 'elderly' ? r.int(63, 82) : persona === 'gig' ? Math.min(58, 20 + Math.floor(Math.abs(r.normal()) * 11)) : r.int(23, 62));
  const male = opts.male ?? (persona === 'gig' ? r.chance(0.78) : r.chance(0.52));
  const weak = opts.weak ?? r.chance(WEAK_SHARE);
  const surname = opts.surname ?? r.pick(SURNAMES);
  const given = r.pick(GIVEN);
  const employer = opts.employer === null ? undefined : opts.employer
    ?? (persona === 'gig' ? r.pick(PLATFORMS) : persona === 'office' ? r.skewed(ctx.corporates, 2.2) : persona === 'self' ? (r.chance(0.25) ? `${surname[0]?.toUpperCase()}${surname.slice(1)} ${r.pick(['Trading', 'Repairs', 'Studio', 'Noodle House', 'Hardware'])} Firm` : undefined) : undefined);
  return {
    region, age, male, surname, given, weak, persona,
    nationalId: nationalId(ctx, region, age, male),
    phone: mobile(ctx),
    device: phoneDevice(ctx),
    email: r.chance(persona === 'elderly' ? 0.2 : 0.9) ? emailFor(ctx, given, surname, 2025 - age) : undefined,
    address: opts.address ?? homeAddress(ctx, region),
    bankAccount: account(ctx),
    employer,
    homeIp: homeIp(ctx),
    profile: makeApplicant(r, persona, weak, age, male, { housing: opts.housing, foreign: opts.foreign, married: opts.married }),
  };
}

// ---------------------------------------------------------------- loans and timing
function loan(r: Rng, persona: Persona, weak: boolean, age: number, opts: { product?: string; scale?: number } = {}): { product: string; amount: number; termMonths: number } {
  const microP = persona === 'student' ? 0.7 : persona === 'gig' ? 0.45 : persona === 'elderly' ? 0.4 : 0.25;
  const product = opts.product ?? (r.chance(microP) ? 'micro_loan' : 'personal_loan');
  const scale = opts.scale ?? 1;
  const outOfBounds = r.chance(0.01);
  if (product === 'micro_loan') {
    let amount = Math.exp(r.uni(Math.log(100), Math.log(3000))) * scale * (weak ? 1.15 : 1);
    amount = Math.max(100, Math.min(outOfBounds ? 5000 : 3000, Math.round(amount / 50) * 50));
    const termMonths = outOfBounds ? r.pick([1, 2]) : age > 60 ? r.pick([3, 6]) : r.pick([3, 3, 6, 6, 6, 9, 12, 12, 18, 24]);
    return { product, amount, termMonths };
  }
  const median = (persona === 'student' ? 2500 : persona === 'elderly' ? 3000 : persona === 'merchant' ? 7000 : 4500) * (weak ? 1.25 : 1);
  let amount = median * Math.exp(r.normal() * 0.7) * scale;
  amount = Math.max(250, Math.min(outOfBounds ? 40000 : 20000, Math.round(amount / 100) * 100));
  let termMonths: number = r.w({ 6: 9, 12: 27, 18: 12, 24: 22, 36: 17, 48: 7, 60: 4, 72: 2 });
  if (amount > 10000 && termMonths < 24) termMonths = 36;
  if (age > 62) termMonths = Math.min(termMonths, r.pick([6, 12, 12, 24]));
  if (outOfBounds && r.chance(0.5)) termMonths = r.pick([3, 84]);
  return { product, amount, termMonths };
}

const HOURS_DAY: Record<number, number> = { 7: 2, 8: 4, 9: 6, 10: 7, 11: 7, 12: 8, 13: 7, 14: 6, 15: 6, 16: 6, 17: 6, 18: 7, 19: 9, 20: 10, 21: 10, 22: 8, 23: 5, 0: 2, 1: 1 };
const HOURS_GIG: Record<number, number> = { 9: 4, 10: 6, 11: 5, 14: 6, 15: 7, 16: 5, 20: 4, 21: 6, 22: 8, 23: 8, 0: 6, 1: 4, 2: 2 };
const HOURS_OFFICE: Record<number, number> = { 9: 8, 10: 10, 11: 10, 12: 6, 13: 8, 14: 10, 15: 10, 16: 9, 17: 6 };
function at(r: Rng, day: number, hours: Record<number, number> = HOURS_DAY): number {
  const d = Math.max(0, Math.min(SPAN_DAYS - 1, Math.floor(day)));
  return START + d * DAY + r.w(hours) * HOUR + r.int(0, 3599) * 1000 + r.int(0, 999);
}
const anyDay = (r: Rng) => Math.floor(r.next() * SPAN_DAYS);

// ---------------------------------------------------------------- drafts
interface Draft {
  t: number;
  ring: string | null;
  kind: string;
  product: string;
  amount: number;
  termMonths: number;
  region: Region;
  applicant: Applicant;
  ids: Ids;
}
interface Applied { person: Person; first: number; kind: Structure }

function draft(ctx: Ctx, out: Draft[], p: Person, kind: string, t: number, ids: Ids, opts: { ring?: string; loanOpts?: { product?: string; scale?: number }; applicant?: Applicant; region?: Region } = {}): void {
  const l = loan(ctx.r, p.persona, p.weak, p.age, opts.loanOpts);
  out.push({ t, ring: opts.ring ?? null, kind, ...l, region: opts.region ?? p.region, applicant: { ...(opts.applicant ?? p.profile) }, ids });
}

/** A person's own identifiers when applying from their own phone (mobile data or home wifi). */
function ownIds(ctx: Ctx, p: Person, channel: 'app' | 'branch' = ctx.r.chance(0.12) ? 'branch' : 'app'): Ids {
  const { r } = ctx;
  const ids: Ids = { nationalId: p.nationalId, phone: p.phone, address: p.address, bankAccount: p.bankAccount };
  if (p.email && r.chance(0.93)) ids.email = p.email;
  if (p.employer && r.chance(0.94)) ids.employer = p.employer;
  if (channel === 'branch') {
    ids.ip = r.pick(ctx.branchIps);
  } else {
    ids.deviceId = p.device;
    ids.ip = r.chance(0.5) ? r.skewed(ctx.carrierIps) : p.homeIp;
  }
  return ids;
}

// ---------------------------------------------------------------- legitimate structures
function singles(ctx: Ctx, out: Draft[], applied: Applied[], quota: number): void {
  const { r } = ctx;
  let n = 0;
  while (n < quota) {
    const persona: Persona = r.w({ gig: 40, office: 34, self: 16, homemaker: 6, elderly: 4 });
    const p = newPerson(ctx, persona, r.pick(REGIONS));
    const day = anyDay(r);
    const t = at(r, day, persona === 'gig' ? HOURS_GIG : HOURS_DAY);
    draft(ctx, out, p, 'single', t, ownIds(ctx, p, persona === 'elderly' && r.chance(0.6) ? 'branch' : undefined));
    applied.push({ person: p, first: t, kind: 'single' });
    n++;
    // Some come back: a second product, a top-up, or a retry after a decline.
    if (n < quota && r.chance(0.05) && day < SPAN_DAYS - 10) {
      const t2 = at(r, day + r.int(2, 60));
      const ids = ownIds(ctx, p);
      if (r.chance(0.3)) ids.deviceId = phoneDevice(ctx); // new handset
      draft(ctx, out, p, 'single', t2, ids);
      n++;
    }
  }
}

function households(ctx: Ctx, out: Draft[], applied: Applied[], quota: number): void {
  const { r } = ctx;
  let n = 0;
  while (n < quota) {
    const size = r.w({ 2: 55, 3: 30, 4: 15 });
    const region = r.pick(REGIONS);
    const surname = r.pick(SURNAMES);
    const address = homeAddress(ctx, region);
    const housing = r.w({ own: 55, rent: 40, for_free: 5 });
    const wifi = homeIp(ctx);
    const sharedPhone = r.chance(0.22) ? mobile(ctx) : undefined;
    const tablet = r.chance(0.35) ? androidId(ctx) : undefined;
    const joint = r.chance(0.3) ? account(ctx) : undefined;
    const familyMail = r.chance(0.12) ? emailFor(ctx, r.pick(GIVEN), surname, 1980) : undefined;
    const parentAge = r.int(28, 62);
    const together = r.chance(0.4);
    const baseDay = anyDay(r);
    for (let i = 0; i < size; i++) {
      const child = i >= 2;
      const persona: Persona = child ? r.w({ gig: 45, office: 35, student: 20 }) : r.w({ office: 45, gig: 30, self: 15, homemaker: 10 });
      const age = child ? Math.max(18, parentAge - r.int(20, 30)) : Math.max(21, parentAge + r.int(-4, 4));
      const p = newPerson(ctx, persona, region, { age, surname: i === 1 && r.chance(0.8) ? r.pick(SURNAMES) : surname, address, housing, married: !child, male: i === 0 ? r.chance(0.7) : i === 1 ? r.chance(0.3) : undefined });
      p.homeIp = wifi;
      if (joint && i < 2) p.bankAccount = joint;
      if (sharedPhone && (i < 2 ? r.chance(0.85) : r.chance(0.4))) p.phone = sharedPhone;
      if (familyMail && r.chance(0.6)) p.email = familyMail;
      const day = together ? baseDay + r.int(0, 5) : anyDay(r);
      const ids = ownIds(ctx, p);
      if (ids.deviceId && tablet && r.chance(0.55)) {
        ids.deviceId = tablet;
        ids.ip = wifi;
      }
      const t = at(r, day);
      draft(ctx, out, p, 'household', t, ids);
      applied.push({ person: p, first: t, kind: 'household' });
      n++;
    }
  }
}

function fleets(ctx: Ctx, out: Draft[], quota: number): void {
  const { r } = ctx;
  let n = 0;
  while (n < quota) {
    const region = r.pick(REGIONS);
    const operator = `${r.pick(CORP_WORDS_A)} ${r.pick(['Wheel', 'Road', 'Star', 'Arrow', 'Swift', 'Kite'])} ${r.pick(['Fleet Services', 'Motor Fleet', 'Delivery Station', 'Transport Services'])} Co., Ltd.`;
    const platform = r.pick(PLATFORMS);
    const depotIp = quad(ctx, ['218.17', '202.104', '211.162']);
    const tablets = Array.from({ length: r.int(2, 3) }, () => androidId(ctx));
    const dorm = r.chance(0.5) ? homeAddress(ctx, region) : undefined;
    const driveDays = Array.from({ length: r.int(1, 3) }, () => anyDay(r));
    const size = Math.min(r.int(8, 30), Math.max(8, quota - n));
    for (let i = 0; i < size; i++) {
      const foreign = r.chance(0.3);
      const p = newPerson(ctx, 'gig', r.chance(0.75) ? region : r.pick(REGIONS), { foreign, employer: operator });
      if (dorm && r.chance(0.3)) p.address = dorm;
      const atDepot = r.chance(0.65);
      const ids = ownIds(ctx, p, 'app');
      if (atDepot) {
        ids.deviceId = r.pick(tablets);
        ids.ip = depotIp;
      }
      ids.employer = r.chance(0.9) ? operator : platform;
      const t = r.chance(0.6) ? at(r, r.pick(driveDays) + r.int(0, 1), HOURS_OFFICE) : at(r, anyDay(r), HOURS_GIG);
      draft(ctx, out, p, 'fleet-drivers', t, ids, { region });
      n++;
    }
  }
}

function caregivers(ctx: Ctx, out: Draft[], quota: number): void {
  const { r } = ctx;
  let n = 0;
  while (n < quota) {
    const region = r.pick(REGIONS);
    const carer = newPerson(ctx, r.w({ office: 50, gig: 25, homemaker: 25 }), region, { age: r.int(34, 60) });
    const relatives = r.int(2, 4);
    const sameEvening = r.chance(0.5);
    const baseDay = anyDay(r);
    if (r.chance(0.25)) {
      draft(ctx, out, carer, 'caregiver-assisted', at(r, anyDay(r)), ownIds(ctx, carer));
      n++;
    }
    for (let i = 0; i < relatives; i++) {
      const elder = newPerson(ctx, 'elderly', r.chance(0.7) ? region : r.pick(REGIONS), { surname: r.chance(0.6) ? carer.surname : undefined, employer: null });
      const ids: Ids = { nationalId: elder.nationalId, address: elder.address, bankAccount: elder.bankAccount };
      if (r.chance(0.85)) {
        ids.phone = carer.phone;
        ids.deviceId = carer.device;
        ids.ip = r.chance(0.7) ? carer.homeIp : r.skewed(ctx.carrierIps);
      } else {
        ids.phone = elder.phone;
        ids.ip = r.pick(ctx.branchIps); // elder went to a branch with the carer
      }
      const mail = r.next();
      if (mail < 0.4 && carer.email) ids.email = carer.email;
      else if (mail < 0.55 && elder.email) ids.email = elder.email;
      const t = sameEvening ? START + baseDay * DAY + (r.int(19, 21) * HOUR) + i * r.int(4, 20) * 60_000 + r.int(0, 59_999) : at(r, anyDay(r));
      draft(ctx, out, elder, 'caregiver-assisted', t, ids);
      n++;
    }
  }
}

function students(ctx: Ctx, out: Draft[], quota: number): void {
  const { r } = ctx;
  let n = 0;
  while (n < quota) {
    const region = r.pick(REGIONS);
    const campusName = `${r.pick(STREETS)} ${r.pick(['University', 'Polytechnic', 'Vocational College', 'Normal University'])}`;
    const domain = `stu.${campusName.toLowerCase().replace(/[^a-z]/g, '').slice(0, 10)}.edu.cn`;
    const campusIps = Array.from({ length: r.int(1, 2) }, () => quad(ctx, ['202.38', '210.39', '219.223']));
    const dorms = Array.from({ length: r.int(3, 6) }, (_x, i) => `Dormitory ${i + 1 + r.int(0, 9)}, ${campusName}, ${r.int(1, 300)} ${r.pick(STREETS)} Road, ${r.pick(DISTRICTS[region]).name} District`);
    const size = Math.min(r.int(10, 35), Math.max(6, quota - n));
    let k = 0;
    while (k < size) {
      const siblings = Math.min(size - k, r.w({ 1: 72, 2: 23, 3: 5 }));
      const surname = r.pick(SURNAMES);
      const parentPhone = mobile(ctx);
      const parentAccount = account(ctx);
      const parentHome = homeAddress(ctx, r.chance(0.5) ? region : r.pick(REGIONS));
      const parentMail = r.chance(0.15) ? emailFor(ctx, r.pick(GIVEN), surname, 1972) : undefined;
      for (let s = 0; s < siblings; s++) {
        const p = newPerson(ctx, 'student', region, { surname, employer: null });
        const ids: Ids = { nationalId: p.nationalId, phone: r.chance(0.85) ? parentPhone : p.phone, bankAccount: r.chance(0.8) ? parentAccount : p.bankAccount, deviceId: p.device };
        ids.address = r.chance(0.65) ? r.pick(dorms) : parentHome;
        ids.ip = r.chance(0.6) ? r.pick(campusIps) : r.chance(0.5) ? r.skewed(ctx.carrierIps) : p.homeIp;
        ids.email = parentMail && r.chance(0.4) ? parentMail : r.chance(0.6) ? unique(ctx, () => `${p.given}${p.surname}${r.digits(4)}@${domain}`) : p.email;
        if (r.chance(0.18)) ids.employer = r.chance(0.6) ? r.pick(PLATFORMS) : `${campusName} Campus Cafe`;
        draft(ctx, out, p, 'co-signed-students', at(r, r.chance(0.4) ? r.int(0, 25) : anyDay(r)), ids);
        k++;
        n++;
      }
    }
  }
}

function markets(ctx: Ctx, out: Draft[], quota: number, hallIps: string[]): void {
  const { r } = ctx;
  let n = 0;
  while (n < quota) {
    const region = r.pick(REGIONS);
    const hall = `${r.pick(STREETS)} ${r.pick(['Wet Market', 'Market Hall', 'Farmers Market', 'Night Market'])}, ${r.int(1, 400)} ${r.pick(STREETS)} Road, ${r.pick(DISTRICTS[region]).name} District`;
    const hallIp = quad(ctx, ['125.88', '121.35', '180.150']);
    hallIps.push(hallIp);
    const terminal = terminalId(ctx);
    const promoDays = Array.from({ length: r.int(1, 2) }, () => anyDay(r));
    const size = Math.min(r.int(6, 20), Math.max(6, quota - n));
    for (let i = 0; i < size; i++) {
      const p = newPerson(ctx, 'merchant', region, { employer: null });
      const ids = ownIds(ctx, p, 'app');
      if (r.chance(0.75)) ids.address = hall;
      if (r.chance(0.6)) {
        ids.deviceId = terminal;
        ids.ip = hallIp;
      } else if (r.chance(0.5)) ids.ip = hallIp;
      if (r.chance(0.35)) ids.employer = `${p.surname[0]?.toUpperCase()}${p.surname.slice(1)} ${r.pick(['Fresh Produce', 'Seafood Stall', 'Dry Goods', 'Tofu Shop', 'Butcher', 'Fruit Stall'])} No. ${r.int(1, 120)}`;
      draft(ctx, out, p, 'small-merchants', r.chance(0.4) ? at(r, r.pick(promoDays), HOURS_OFFICE) : at(r, anyDay(r), { 6: 3, 7: 4, 13: 5, 14: 6, 15: 5, 20: 4, 21: 3 }), ids);
      n++;
    }
  }
}

// ---------------------------------------------------------------- fraud rings
interface RingCtx extends Ctx {
  applied: Applied[];
  hallIps: string[];
  usedVictims: Set<Person>;
}

function ringPerson(ctx: Ctx, region: Region, persona: Persona = ctx.r.w({ gig: 50, office: 30, self: 20 })): Person {
  return newPerson(ctx, persona, region, { weak: ctx.r.chance(RING_WEAK_SHARE) });
}
function fraudMail(ctx: Ctx, p: Person, style: number): string {
  const { r } = ctx;
  return unique(ctx, () => style === 0 ? `${p.given}${p.surname}${r.int(1000, 99999)}@${r.pick(['163.com', 'outlook.com', 'gmail.com'])}` : style === 1 ? `${r.hex(3)}${p.surname}${r.int(10, 99)}@proton.me` : `${r.digits(10).replace(/^0/, '2')}@qq.com`);
}

function accountTakeover(ctx: RingCtx, out: Draft[], ring: string, size: number): number {
  const { r } = ctx;
  const startDay = r.int(30, SPAN_DAYS - 5);
  const start = START + startDay * DAY;
  const candidates = ctx.applied.filter((a) => a.first < start - 7 * DAY && !a.person.weak && !ctx.usedVictims.has(a.person) && a.person.persona !== 'student');
  const victims = r.shuffle(candidates).slice(0, size);
  const phones = Array.from({ length: Math.max(1, Math.ceil(size * r.uni(0.4, 1))) }, () => mobile(ctx));
  const devices = Array.from({ length: r.int(1, 3) }, () => phoneDevice(ctx));
  const drops = Array.from({ length: r.int(2, 3) }, () => account(ctx));
  const ips = Array.from({ length: r.int(1, 3) }, () => (r.chance(0.5) ? vpnIp(ctx) : r.skewed(ctx.carrierIps)));
  const burstHours = r.uni(10, 96);
  const mailStyle = r.int(0, 2);
  for (const [i, a] of victims.entries()) {
    ctx.usedVictims.add(a.person);
    const v = a.person;
    const ids: Ids = { nationalId: v.nationalId, phone: i < phones.length ? (phones[i] as string) : r.pick(phones), deviceId: r.pick(devices), ip: r.pick(ips), bankAccount: r.pick(drops) };
    if (r.chance(0.6)) ids.address = v.address;
    ids.email = r.chance(0.25) && v.email ? v.email : r.chance(0.8) ? fraudMail(ctx, v, mailStyle) : undefined;
    if (v.employer && r.chance(0.6)) ids.employer = v.employer;
    const profile = { ...v.profile, existingCredits: Math.min(4, v.profile.existingCredits + (r.chance(0.3) ? 1 : 0)) };
    const t = start + Math.floor(r.next() * burstHours * HOUR);
    draft(ctx, out, v, 'account-takeover', t, ids, { ring, applicant: profile, loanOpts: { product: r.chance(0.85) ? 'personal_loan' : 'micro_loan', scale: r.uni(1.3, 2.4) } });
  }
  return victims.length;
}

function bustOut(ctx: RingCtx, out: Draft[], ring: string, people: number, reapply: number): number {
  const { r } = ctx;
  const region = r.pick(REGIONS);
  const startDay = r.int(0, SPAN_DAYS - 60);
  const devices = Array.from({ length: r.int(2, 3) }, () => phoneDevice(ctx));
  const accounts = [account(ctx), account(ctx)];
  const ips = Array.from({ length: r.int(1, 3) }, () => (r.chance(0.6) ? homeIp(ctx) : r.skewed(ctx.carrierIps)));
  const flats = Array.from({ length: r.int(2, 4) }, () => homeAddress(ctx, region));
  const shellEmployer = r.chance(0.5) ? corporateName(ctx) : r.skewed(ctx.corporates, 2.2);
  const simBatch = r.chance(0.5) ? r.pick(['170', '171', '165', '167']) + r.digits(4) : undefined;
  const mailStyle = r.int(0, 2);
  const members: { p: Person; ids: Ids }[] = [];
  let n = 0;
  for (let i = 0; i < people; i++) {
    const p = ringPerson(ctx, region, r.w({ gig: 40, office: 45, self: 15 }));
    p.profile.creditHistory = r.w({ paid_duly: 55, no_credit_all_paid: 25, this_bank_all_paid: 10, critical: 10 });
    if (simBatch) p.phone = unique(ctx, () => simBatch + r.digits(4));
    const ids: Ids = { nationalId: p.nationalId, phone: p.phone, deviceId: r.pick(devices), ip: r.pick(ips), address: r.chance(0.75) ? r.pick(flats) : p.address, bankAccount: r.pick(accounts) };
    if (r.chance(0.85)) ids.email = fraudMail(ctx, p, mailStyle);
    ids.employer = r.chance(0.6) ? shellEmployer : r.pick(PLATFORMS);
    members.push({ p, ids });
    draft(ctx, out, p, 'bust-out', at(r, startDay + r.next() * 7, HOURS_DAY), ids, { ring, loanOpts: { scale: r.uni(0.6, 1) } });
    n++;
  }
  const secondDay = startDay + r.int(21, 56);
  for (const m of r.shuffle(members.slice()).slice(0, reapply)) {
    const ids = { ...m.ids };
    if (r.chance(0.3)) ids.deviceId = r.pick(devices);
    if (r.chance(0.3)) ids.ip = r.chance(0.5) ? r.skewed(ctx.carrierIps) : r.pick(ips);
    draft(ctx, out, m.p, 'bust-out', at(r, secondDay + r.next() * 10), ids, { ring, loanOpts: { product: 'personal_loan', scale: r.uni(1.8, 3.2) } });
    n++;
  }
  return n;
}

function courierDrop(ctx: RingCtx, out: Draft[], ring: string, size: number): number {
  const { r } = ctx;
  const region = r.pick(REGIONS);
  const lockers = Array.from({ length: r.int(1, 3) }, () => unique(ctx, () => `${r.pick(['Hive Box Locker', 'Parcel Station', 'Courier Point', 'Smart Locker'])} #${r.int(1, 90)}, ${r.int(1, 480)} ${r.pick(STREETS)} Road, ${r.pick(DISTRICTS[region]).name} District`));
  const phones = Array.from({ length: r.int(1, 2) }, () => mobile(ctx));
  const devices = Array.from({ length: r.int(2, Math.max(2, Math.ceil(size / 2))) }, () => phoneDevice(ctx));
  const sharedAccounts = Array.from({ length: r.int(1, 2) }, () => account(ctx));
  const ownAccountP = r.uni(0.3, 0.8);
  const startDay = r.int(0, SPAN_DAYS - 35);
  const spread = r.int(7, 35);
  for (let i = 0; i < size; i++) {
    const p = ringPerson(ctx, r.chance(0.7) ? region : r.pick(REGIONS));
    const ids: Ids = { nationalId: p.nationalId, phone: r.chance(0.9) ? r.pick(phones) : p.phone, address: r.pick(lockers), bankAccount: r.chance(ownAccountP) ? p.bankAccount : r.pick(sharedAccounts) };
    if (r.chance(0.88)) {
      ids.deviceId = r.pick(devices);
      ids.ip = r.chance(0.6) ? r.skewed(ctx.carrierIps) : vpnIp(ctx);
    } else ids.ip = r.pick(ctx.branchIps);
    if (p.email && r.chance(0.8)) ids.email = p.email;
    if (r.chance(0.7)) ids.employer = r.chance(0.6) ? r.pick(PLATFORMS) : r.skewed(ctx.corporates, 2.2);
    draft(ctx, out, p, 'courier-drop', at(r, startDay + r.next() * spread, HOURS_GIG), ids, { ring, loanOpts: { scale: r.uni(0.9, 1.6) } });
  }
  return size;
}

function collusiveMerchant(ctx: RingCtx, out: Draft[], ring: string, size: number): number {
  const { r } = ctx;
  const region = r.pick(REGIONS);
  const device = r.chance(0.6) ? terminalId(ctx) : androidId(ctx);
  const shopIp = r.chance(0.4) && ctx.hallIps.length > 0 ? r.pick(ctx.hallIps) : quad(ctx, ['125.88', '121.35', '180.150']);
  const payouts = Array.from({ length: r.int(1, 2) }, () => account(ctx));
  const startDay = r.int(0, SPAN_DAYS - 42);
  const spread = r.int(14, 42);
  for (let i = 0; i < size; i++) {
    const p = ringPerson(ctx, r.chance(0.8) ? region : r.pick(REGIONS));
    p.profile.purpose = r.w({ furniture_equipment: 35, domestic_appliance: 25, radio_television: 30, repairs: 10 });
    const ids: Ids = { nationalId: p.nationalId, phone: p.phone, deviceId: r.chance(0.9) ? device : p.device, ip: r.chance(0.8) ? shopIp : r.skewed(ctx.carrierIps), bankAccount: r.chance(0.9) ? r.pick(payouts) : p.bankAccount };
    if (r.chance(0.85)) ids.address = p.address;
    if (p.email && r.chance(0.7)) ids.email = p.email;
    if (p.employer && r.chance(0.8)) ids.employer = p.employer;
    draft(ctx, out, p, 'collusive-merchant', at(r, startDay + r.next() * spread, HOURS_OFFICE), ids, { ring, loanOpts: { product: 'personal_loan', scale: r.uni(0.7, 1.3) } });
  }
  return size;
}

function plantRings(ctx: RingCtx, out: Draft[], target: number, minPerShape: number): void {
  const { r } = ctx;
  const order = r.shuffle([...RING_SHAPES]) as Shape[];
  let total = 0;
  let k = 0;
  while (k < minPerShape * RING_SHAPES.length || total < target) {
    const shape = order[k % order.length] as Shape;
    const ring = `gig-ring-${String(k + 1).padStart(3, '0')}`;
    const remaining = Math.max(4, target - total);
    const cap = k < minPerShape * RING_SHAPES.length ? 30 : Math.max(4, Math.min(30, remaining + 3));
    let made = 0;
    if (shape === 'account-takeover') made = accountTakeover(ctx, out, ring, Math.min(cap, r.int(4, 12)));
    else if (shape === 'bust-out') {
      const people = Math.max(6, Math.min(cap, r.int(6, 15)));
      made = bustOut(ctx, out, ring, people, Math.min(Math.max(0, cap - people), Math.round(people * r.uni(0.3, 0.9))));
    } else if (shape === 'courier-drop') made = courierDrop(ctx, out, ring, Math.min(cap, r.int(5, 14)));
    else made = collusiveMerchant(ctx, out, ring, Math.min(cap, r.int(5, 12)));
    total += made;
    k++;
  }
}

// ---------------------------------------------------------------- the generator
function generate(options: { readonly seed: number; readonly size?: number }): Population {
  const size = Math.max(100, Math.round(options.size ?? 3000));
  const r = new Rng(options.seed);
  const ctx: Ctx = { r, used: new Set(), carrierIps: [], branchIps: [], corporates: [] };
  const carrierCount = 30 + Math.round(size / 120);
  for (let i = 0; i < carrierCount; i++) ctx.carrierIps.push(quad(ctx, ['223.104', '117.136', '112.97', '39.144', '111.55', '120.239']));
  for (let i = 0; i < 10; i++) ctx.branchIps.push(quad(ctx, ['61.135', '61.141']));
  const corpCount = 40 + Math.round(size / 40);
  for (let i = 0; i < corpCount; i++) ctx.corporates.push(corporateName(ctx));

  const ringShare = RING_SHARE + r.uni(-0.005, 0.005);
  const ringTarget = Math.max(4, Math.round(size * ringShare));
  const legit = size - ringTarget;
  const out: Draft[] = [];
  const applied: Applied[] = [];
  const hallIps: string[] = [];
  const q = (share: number) => Math.round(legit * share);
  fleets(ctx, out, q(0.11));
  households(ctx, out, applied, q(0.18));
  caregivers(ctx, out, q(0.05));
  students(ctx, out, q(0.08));
  markets(ctx, out, q(0.05), hallIps);
  singles(ctx, out, applied, Math.max(0, legit - out.length));

  const minPerShape = size >= 2000 ? 2 : size >= 1000 ? 1 : 0;
  plantRings({ ...ctx, applied, hallIps, usedVictims: new Set() }, out, ringTarget, minPerShape);

  const order = out.map((d, i) => ({ d, i })).sort((a, b) => a.d.t - b.d.t || a.i - b.i);
  const members: PopulationMember[] = order.map(({ d }, i) => {
    const application: Application = {
      applicationId: `GIG-${String(options.seed >>> 0).padStart(4, '0')}-${String(i + 1).padStart(6, '0')}`,
      product: d.product,
      region: d.region,
      amount: d.amount,
      termMonths: d.termMonths,
      applicant: d.applicant,
      identifiers: vRender(r, d.ids),
    };
    return { application, submittedAt: d.t, ring: d.ring, kind: d.kind };
  });
  return { generator: 'gig', seed: options.seed, members };
}

export const generator: PopulationGenerator = {
  name: 'gig',
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT,
  generate,
};
