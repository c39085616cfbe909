// The "rural" population: a rural county portfolio over 240 days (from 3 Feb 2025, China time)
// with a planting-season surge (weeks 6-10) and a harvest-season surge (late Aug - mid Sep).
// Legitimate structures: singles (a few re-apply), extended farm families over 2-4 farmhouses
// sharing family phones, a family tablet and sometimes a family account; farming cooperatives
// whose office landline and payout account appear on many members' applications, many keyed on
// the co-op clerk's PC in planting sessions; village clinics whose phone elderly patients give as
// their contact; seasonal workers in a farm bunkhouse sharing its address and wifi.
// Rings (3.5-5.5% of applications): ghost farmers (fresh ids posing as co-op members, one agent
// device, 2-3 mule accounts, within days), subsidy identity reuse (3-4 real elderly villagers'
// ids used again and again with fresh phones), agent proxies (a loan agent keying in recruits
// from his own phone and device over weeks, each with their own account).
import type { Application, Applicant } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------------------------------------
// Parameters of this generator.
const DEFAULT_SIZE = 3000;
const SPAN_DAYS = 240;
const START = Date.UTC(2025, 1, 2, 16, 0, 0); // 2025-02-03 00:00 at UTC+8
const DAY = 86_400_000;
const WEAK_SHARE = 0.24; // share of legitimate applicants with a poor credit profile
const RING_WEAK_SHARE = 0.3; // ring members: fabricated profiles, a little weaker on average
const PLANTING: readonly [number, number] = [35, 70]; // weeks 6-10
const HARVEST: readonly [number, number] = [200, 230];
const LEGIT_SHARES: Readonly<Record<string, number>> = {
  single: 0.42, 'extended-family': 0.17, cooperative: 0.22, 'village-doctor': 0.07, 'seasonal-worker': 0.12,
};
const MEAN_GROUP: Readonly<Record<string, number>> = {
  single: 1.04, 'extended-family': 6.5, cooperative: 25, 'village-doctor': 5.5, 'seasonal-worker': 9.5,
};
const RING_SHAPES = ['ghost-farmers', 'subsidy-identity-reuse', 'agent-proxy'] as const;
type Shape = (typeof RING_SHAPES)[number];
const LEGIT_STRUCTURES = Object.keys(LEGIT_SHARES);

// ---------------------------------------------------------------------------------------------
// Seeded randomness.
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
let R: Rng = mulberry32(1);
const rnd = (): number => R();
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const chance = (p: number): boolean => rnd() < p;
function pick<T>(xs: readonly T[]): T {
  const x = xs[Math.floor(rnd() * xs.length)];
  if (x === undefined) throw new Error('pick from empty list');
  return x;
}
function weighted<T extends string | number>(table: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let u = rnd() * total;
  for (const [v, w] of table) {
    u -= w;
    if (u <= 0) return v;
  }
  const last = table[table.length - 1];
  if (!last) throw new Error('empty table');
  return last[0];
}
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const a = xs[i] as T;
    xs[i] = xs[j] as T;
    xs[j] = a;
  }
  return xs;
}
function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rnd() * 10));
  return s;
}
function hex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'.charAt(Math.floor(rnd() * 16));
  return s;
}
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

// ---------------------------------------------------------------------------------------------
// The county: four regions of townships and villages, phone and network numbering.
type Region = 'east' | 'north' | 'south' | 'west';
const REGIONS: readonly Region[] = ['east', 'north', 'south', 'west'];
const COUNTY = 'Qingxi County';
const COUNTY_CODE = '431126';
const AREA_CODE = '0746';
const MIGRANT_CODES = ['510823', '522422', '411528', '362430', '452631', '533221', '612729'];
const SYLL = ['zhang', 'li', 'wang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'lin', 'luo', 'tang', 'deng', 'peng', 'jiang', 'xiao', 'tan', 'cao', 'yuan', 'ye', 'dong', 'pan', 'du', 'dai', 'xia', 'zhong', 'tian', 'ren', 'jiang', 'fan', 'fang', 'shi', 'yao', 'tan', 'liao', 'zou', 'xiong', 'jin', 'lu', 'hao', 'kong', 'bai', 'cui', 'kang', 'mao', 'qiu', 'qin'];
const GIVEN = ['wei', 'fang', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'juan', 'tao', 'ming', 'chao', 'xia', 'ping', 'gang', 'gui', 'hua', 'lan', 'feng', 'hong', 'bo', 'xin', 'hui', 'dan', 'bin', 'mei', 'chun', 'qing', 'fu', 'shan', 'de', 'cai'];
const PLACE = ['Shuang', 'Hua', 'Long', 'Feng', 'Shi', 'Bai', 'Huang', 'Qing', 'Tai', 'Xin', 'Ma', 'Yang', 'Niu', 'Song', 'He', 'Tian', 'Jin', 'Da', 'Xiao', 'Zhu', 'Liu', 'Dong', 'Nan', 'Bei', 'Xi', 'Gao', 'Shang', 'Xia', 'Hong', 'Mei'];
const PLACE2 = ['tang', 'ling', 'qiao', 'ping', 'chong', 'wan', 'tian', 'shan', 'jia', 'kou', 'tou', 'pu', 'zhou', 'quan', 'keng', 'gang', 'yuan', 'lin', 'po', 'ba'];
interface Village { readonly name: string; readonly township: string; readonly region: Region; readonly code: string }
interface Addr { readonly no: number; readonly group: number; readonly village: Village; readonly unit?: string }
interface World {
  villages: Village[];
  branchIps: Map<Region, string[]>;
  cgnat: string[];
  employers: string[];
  usedPhones: Set<string>;
  usedIds: Set<string>;
  usedAccounts: Set<string>;
}
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
function placeName(): string {
  return pick(PLACE) + pick(PLACE2);
}
function ipv4(prefix: string): string {
  return `${prefix}.${int(1, 254)}.${int(1, 254)}`;
}
function buildWorld(): World {
  const villages: Village[] = [];
  const seen = new Set<string>();
  for (const region of REGIONS) {
    for (let t = 0; t < int(3, 4); t++) {
      let township = placeName();
      while (seen.has(township)) township = placeName();
      seen.add(township);
      const code = COUNTY_CODE;
      for (let v = 0; v < int(6, 10); v++) {
        let name = placeName();
        while (seen.has(name)) name = placeName();
        seen.add(name);
        villages.push({ name, township, region, code });
      }
    }
  }
  const branchIps = new Map<Region, string[]>(REGIONS.map((r) => [r, [ipv4('218.76'), ipv4('218.76')]]));
  const cgnat = Array.from({ length: 90 }, () => ipv4(pick(['117.136', '223.104', '112.97', '39.144', '120.228'])));
  const employers = [
    `${COUNTY} Agricultural Products Processing Co., Ltd.`, `${COUNTY} People's Hospital`, `${COUNTY} No. 1 Middle School`,
    `${COUNTY} Grain Reserve Depot`, 'Xiangnong Feed Co., Ltd.', 'Hunan Lvyuan Tea Industry Co., Ltd.', `${COUNTY} Water Conservancy Bureau`,
    'Jinhe Rice Mill', 'Dongfang Pig Breeding Co., Ltd.', `${COUNTY} Rural Commercial Bank`, 'Changsha Zhongda Construction Co., Ltd.',
    'Huaxin Logistics', 'Fengshou Agricultural Machinery Co., Ltd.', 'China Post Qingxi Branch', 'Shunfeng Express Qingxi Outlet',
  ];
  return { villages, branchIps, cgnat, employers, usedPhones: new Set(), usedIds: new Set(), usedAccounts: new Set() };
}

// Fresh identifier values (canonical forms).
function mobile(w: World): string {
  for (;;) {
    const p = pick(['135', '136', '137', '138', '139', '150', '151', '152', '158', '159', '182', '187', '188', '130', '131', '155', '156', '186', '133', '153', '180', '189', '199', '177']) + digits(8);
    if (!w.usedPhones.has(p)) { w.usedPhones.add(p); return p; }
  }
}
function landline(w: World): string {
  for (;;) {
    const p = AREA_CODE + pick(['3', '5', '8']) + digits(6);
    if (!w.usedPhones.has(p)) { w.usedPhones.add(p); return p; }
  }
}
function checkChar(body: string): string {
  const wts = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(body[i]) * (wts[i] ?? 0);
  return '10X98765432'[s % 11] ?? '0';
}
function nationalId(w: World, code: string, age: number, female: boolean, refDay = 0): string {
  for (;;) {
    const birth = new Date(START + refDay * DAY - age * 365.25 * DAY - int(0, 364) * DAY);
    const ymd = `${birth.getUTCFullYear()}${pad(birth.getUTCMonth() + 1, 2)}${pad(birth.getUTCDate(), 2)}`;
    let seq = int(0, 499) * 2 + (female ? 0 : 1);
    if (seq === 0) seq = 2;
    const body = code + ymd + pad(seq, 3);
    const id = body + checkChar(body);
    if (!w.usedIds.has(id)) { w.usedIds.add(id); return id; }
  }
}
function account(w: World): string {
  for (;;) {
    const a = pick(['6217', '6228', '6230', '6221', '6213']) + digits(15);
    if (!w.usedAccounts.has(a)) { w.usedAccounts.add(a); return a; }
  }
}
const deviceId = (): string => (chance(0.6) ? hex(16) : `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`);
function email(first: string, given: string, birthYear: number): string {
  const local = weighted<string>([[`${first}${given}${birthYear % 100}`, 3], [`${first}${given}${digits(3)}`, 2], [`${first}.${given}`, 1], [`${int(10000000, 2999999999)}`, 4]]);
  return `${local}@${/^\d+$/.test(local) ? 'qq.com' : pick(['163.com', '126.com', 'qq.com', 'sina.com'])}`;
}

// Written forms: how applicants and clerks type the same values.
const W_LAND = [2, 4, 1, 1, 1, 1].map((x, i) => [i, x] as const);
const W_MOBILE = [6, 2, 1.5, 1, 0.7, 0.8, 0.2].map((x, i) => [i, x] as const);
const W_ID = [8, 1.5, 0.4].map((x, i) => [i, x] as const);
const W_ACCOUNT = [5, 3, 0.5].map((x, i) => [i, x] as const);
const W_ADDR = [5, 2, 1.5, 1, 0.5].map((x, i) => [i, x] as const);
const W_NAME = [7, 1.2, 0.4, 1, 0.3].map((x, i) => [i, x] as const);
function wPhone(p: string): string {
  if (p.startsWith('0')) {
    const ac = p.slice(0, 4), rest = p.slice(4);
    switch (weighted(W_LAND)) {
      case 0: return p;
      case 1: return `${ac}-${rest}`;
      case 2: return `(${ac}) ${rest}`;
      case 3: return `+86 ${ac.slice(1)} ${rest}`;
      case 4: return `0086 ${ac.slice(1)} ${rest}`;
      default: return `${ac} ${rest.slice(0, 4)} ${rest.slice(4)}`;
    }
  }
  const sp = () => `${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`;
  switch (weighted(W_MOBILE)) {
    case 0: return p;
    case 1: return sp();
    case 2: return `+86 ${sp()}`;
    case 3: return `+86${p}`;
    case 4: return `0086 ${p}`;
    case 5: return `${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`;
    default: return ` ${p} `;
  }
}
function wId(id: string): string {
  const k = weighted(W_ID);
  const v = k === 0 ? id : k === 1 ? `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}` : `${id.slice(0, 6)}-${id.slice(6, 14)}-${id.slice(14)}`;
  return id.endsWith('X') && chance(0.3) ? v.slice(0, -1) + 'x' : v;
}
function wAccount(a: string): string {
  const k = weighted(W_ACCOUNT);
  return k === 0 ? a : a.replace(/(\d{4})(?=\d)/g, k === 1 ? '$1 ' : '$1-');
}
function wAddr(a: Addr): string {
  const v = a.village;
  const unit = a.unit ? `${a.unit}, ` : '';
  let base: string;
  switch (weighted(W_ADDR)) {
    case 0: base = `${unit}No. ${a.no}, Group ${a.group}, ${v.name} Village, ${v.township} Township, ${COUNTY}`; break;
    case 1: base = `${unit}No.${a.no} Group ${a.group} ${v.name} Village ${v.township} Township ${COUNTY}`; break;
    case 2: base = `${unit}No ${a.no},Group ${a.group},${v.name} Village,${v.township} Township,${COUNTY}`; break;
    case 3: base = `${unit}no. ${a.no}, group ${a.group}, ${v.name} village, ${v.township} township, ${COUNTY.toLowerCase()}`; break;
    default: base = `${unit}No. ${a.no}, Group ${a.group}, ${v.name} Village, ${v.township} Township, ${COUNTY}`.toUpperCase();
  }
  return chance(0.08) ? base.replace(', ', ',  ') : base;
}
function wName(s: string): string {
  switch (weighted(W_NAME)) {
    case 0: return s;
    case 1: return s.toLowerCase();
    case 2: return s.toUpperCase();
    case 3: return s.replace(/\.$/, '').replace(/,/g, '');
    default: return `${s} `;
  }
}
const wEmail = (e: string): string => (chance(0.12) ? cap(e) : chance(0.03) ? e.toUpperCase() : e);
const wDevice = (d: string): string => (chance(0.15) ? d.toUpperCase() : d);
function wIp(ip: string): string {
  if (chance(0.03)) return `::ffff:${ip}`;
  if (chance(0.03)) return ip.split('.').map((o) => pad(Number(o), 3)).join('.');
  return ip;
}

// ---------------------------------------------------------------------------------------------
// People and their credit profiles.
type Role = 'farmer' | 'worker' | 'elder' | 'employee' | 'young';
interface Person {
  nid: string; age: number; female: boolean; role: Role; weak: boolean;
  phone: string | undefined; email: string | undefined; addr: Addr; account: string;
  employer: string | undefined; device: string | undefined; homeIp: string | undefined; region: Region;
  profile: Applicant;
}
// Constant weight tables (hoisted: generation runs them hundreds of thousands of times).
const T0: readonly (readonly [string, number])[] = [['lt_0', 0.45], ['0_to_200', 0.4], ['none', 0.12], ['gt_200', 0.03]];
const T1: readonly (readonly [string, number])[] = [['none', 0.45], ['0_to_200', 0.3], ['lt_0', 0.13], ['gt_200', 0.12]];
const T2: readonly (readonly [string, number])[] = [['paid_duly', 0.45], ['delay', 0.15], ['no_credit_all_paid', 0.15], ['this_bank_all_paid', 0.15], ['critical', 0.1]];
const T3: readonly (readonly [string, number])[] = [['paid_duly', 0.55], ['critical', 0.3], ['delay', 0.07], ['no_credit_all_paid', 0.03], ['this_bank_all_paid', 0.05]];
const T4: readonly (readonly [string, number])[] = [['lt_100', 0.75], ['100_to_500', 0.12], ['unknown', 0.1], ['500_to_1000', 0.03]];
const T5: readonly (readonly [string, number])[] = [['lt_100', 0.45], ['unknown', 0.25], ['100_to_500', 0.12], ['gt_1000', 0.1], ['500_to_1000', 0.08]];
const T6: readonly (readonly [string, number])[] = [['male_single', 0.7], ['male_married_widowed', 0.25], ['male_divorced_seperated', 0.05]];
const T7: readonly (readonly [string, number])[] = [['male_married_widowed', 0.66], ['male_single', 0.24], ['male_divorced_seperated', 0.1]];
const T8: readonly (readonly [string, number])[] = [['none', 0.9], ['guarantor', 0.06], ['co_applicant', 0.04]];
const T9: readonly (readonly [string, number])[] = [['unknown', 0.45], ['car_other', 0.3], ['insurance', 0.15], ['real_estate', 0.1]];
const T10: readonly (readonly [string, number])[] = [['none', 0.6], ['bank', 0.28], ['stores', 0.12]];
const T11: readonly (readonly [string, number])[] = [['none', 0.8], ['bank', 0.14], ['stores', 0.06]];
const T12: readonly (readonly [string, number])[] = [['for_free', 0.7], ['rent', 0.25], ['own', 0.05]];
const T13: readonly (readonly [string, number])[] = [['own', 0.45], ['for_free', 0.35], ['rent', 0.2]];
const T14: readonly (readonly [string, number])[] = [['own', 0.85], ['for_free', 0.1], ['rent', 0.05]];
const T15: readonly (readonly [string, number])[] = [['business', 0.3], ['repairs', 0.12], ['used_car', 0.1], ['furniture_equipment', 0.1], ['domestic_appliance', 0.08], ['radio_television', 0.08], ['education', 0.08], ['other', 0.07], ['new_car', 0.05], ['retraining', 0.02]];
const T16: readonly (readonly [string, number])[] = [['radio_television', 0.2], ['used_car', 0.15], ['furniture_equipment', 0.15], ['new_car', 0.1], ['education', 0.1], ['domestic_appliance', 0.08], ['business', 0.08], ['repairs', 0.06], ['retraining', 0.04], ['other', 0.04]];
const T17: readonly (readonly [number, number])[] = [[4, 0.6], [3, 0.2], [2, 0.15], [1, 0.05]];
const T18: readonly (readonly [number, number])[] = [[4, 0.4], [3, 0.2], [2, 0.25], [1, 0.15]];
const T19: readonly (readonly [number, number])[] = [[1, 0.4], [2, 0.35], [3, 0.1], [4, 0.15]];
const T20: readonly (readonly [number, number])[] = [[4, 0.7], [3, 0.12], [2, 0.12], [1, 0.06]];
const T21: readonly (readonly [number, number])[] = [[1, 0.7], [2, 0.3]];
const T22: readonly (readonly [number, number])[] = [[1, 0.85], [2, 0.15]];
const T23: readonly (readonly [number, number])[] = [[6, 0.5], [7, 1], [8, 1], [9, 1], [10, 1], [11, 1], [12, 1.3], [13, 1], [14, 0.8], [15, 0.8], [16, 0.8], [17, 1], [18, 1.3], [19, 1.8], [20, 2], [21, 1.6], [22, 0.8], [23, 0.3]];
const T24: readonly (readonly [number, number])[] = [[500, 1], [1000, 3], [1500, 1.5], [2000, 3], [2500, 1], [3000, 2.5]];
const T25: readonly (readonly [number, number])[] = [[2000, 1], [3000, 1.5], [5000, 3], [8000, 2], [10000, 2], [15000, 1], [20000, 0.8]];
const T26: readonly (readonly [Role, number])[] = [['farmer', 0.5], ['employee', 0.25], ['young', 0.15], ['elder', 0.1]];
const T27: readonly (readonly [Role, number])[] = [['farmer', 0.55], ['young', 0.25], ['employee', 0.1], ['elder', 0.1]];
const EMPTABLE: Record<Role, (readonly [string, number])[]> = {
  farmer: [['gt_7', 0.45], ['4_to_7', 0.25], ['1_to_4', 0.2], ['lt_1', 0.05], ['unemployed', 0.05]],
  worker: [['1_to_4', 0.4], ['lt_1', 0.3], ['4_to_7', 0.15], ['gt_7', 0.1], ['unemployed', 0.05]],
  elder: [['gt_7', 0.6], ['unemployed', 0.25], ['4_to_7', 0.1], ['1_to_4', 0.05]],
  employee: [['1_to_4', 0.35], ['4_to_7', 0.25], ['gt_7', 0.3], ['lt_1', 0.1]],
  young: [['lt_1', 0.35], ['1_to_4', 0.45], ['unemployed', 0.1], ['4_to_7', 0.1]],
};
const JOBTABLE: Record<Role, (readonly [string, number])[]> = {
  farmer: [['unskilled_resident', 0.45], ['skilled_employee', 0.35], ['management_self_emp_highly_qualified', 0.2]],
  worker: [['unskilled_resident', 0.7], ['skilled_employee', 0.25], ['unemployed_unskilled', 0.05]],
  elder: [['unskilled_resident', 0.6], ['unemployed_unskilled', 0.25], ['skilled_employee', 0.15]],
  employee: [['skilled_employee', 0.65], ['unskilled_resident', 0.2], ['management_self_emp_highly_qualified', 0.15]],
  young: [['skilled_employee', 0.45], ['unskilled_resident', 0.45], ['unemployed_unskilled', 0.1]],
};
function profile(role: Role, age: number, female: boolean, weak: boolean, thinFile = false): Applicant {
  const checkingAccountStatus = weak
    ? weighted(T0)
    : weighted(T1);
  let creditHistory = weak
    ? weighted(T2)
    : weighted(T3);
  if (thinFile && chance(0.35)) creditHistory = pick(['no_credit_all_paid', 'paid_duly']);
  const savingsAccountBonds = weak
    ? weighted(T4)
    : weighted(T5);
  let employmentDuration = weighted(EMPTABLE[role]);
  if (weak && chance(0.35)) employmentDuration = pick(['lt_1', 'unemployed', '1_to_4']);
  const personalStatusSex = female ? 'female_not_single'
    : age < 28 ? weighted(T6)
      : weighted(T7);
  const otherDebtorsGuarantors = weighted(T8);
  const property = role === 'worker' || role === 'young'
    ? weighted(T9)
    : weighted<string>([['real_estate', weak ? 0.35 : 0.55], ['car_other', 0.25], ['insurance', 0.1], ['unknown', weak ? 0.3 : 0.1]]);
  const otherInstallmentPlans = weak
    ? weighted(T10)
    : weighted(T11);
  const housing = role === 'worker' ? weighted(T12)
    : role === 'young' ? weighted(T13)
      : weighted(T14);
  let job = weighted(JOBTABLE[role]);
  if (weak && chance(0.2)) job = 'unemployed_unskilled';
  const purpose = role === 'farmer' || role === 'elder'
    ? weighted(T15)
    : weighted(T16);
  return {
    age, checkingAccountStatus, creditHistory, purpose, savingsAccountBonds, employmentDuration, personalStatusSex,
    otherDebtorsGuarantors, property, otherInstallmentPlans, housing, job,
    installmentRatePct: weak ? weighted(T17) : weighted(T18),
    residenceYears: role === 'worker' || role === 'young' ? weighted(T19) : weighted(T20),
    existingCredits: weighted<number>(weak ? [[1, 0.5], [2, 0.34], [3, 0.1], [4, 0.06]] : [[1, 0.6], [2, 0.33], [3, 0.05], [4, 0.02]]),
    dependents: role === 'farmer' ? weighted(T21) : weighted(T22),
    hasTelephone: chance(role === 'elder' ? 0.5 : role === 'farmer' ? 0.35 : 0.25),
    foreignWorker: role === 'worker' ? chance(0.75) : chance(0.06),
  };
}
function ageFor(role: Role): number {
  switch (role) {
    case 'elder': return int(60, 74);
    case 'worker': return int(19, 55);
    case 'young': return int(21, 30);
    case 'employee': return int(23, 58);
    case 'farmer': return Math.min(68, Math.max(22, Math.round(44 + (rnd() + rnd() + rnd() - 1.5) * 18)));
  }
}
function newAddr(v: Village, group = int(1, 12)): Addr {
  return { no: int(1, 120), group, village: v };
}
function newPerson(w: World, o: { role: Role; addr: Addr; weakShare?: number; code?: string; age?: number; employer?: string | null; thinFile?: boolean }): Person {
  const age = o.age ?? ageFor(o.role);
  const female = chance(o.role === 'worker' ? 0.3 : 0.45);
  const weak = chance(o.weakShare ?? WEAK_SHARE);
  const surname = pick(SYLL), given = pick(GIVEN) + (chance(0.5) ? pick(GIVEN) : '');
  const online = o.role === 'elder' ? chance(0.3) : o.role === 'young' || o.role === 'worker' ? chance(0.95) : chance(0.75);
  const employer = o.employer === null ? undefined : o.employer ?? (o.role === 'employee' ? pick(w.employers) : undefined);
  return {
    nid: nationalId(w, o.code ?? o.addr.village.code, age, female),
    age, female, role: o.role, weak,
    phone: o.role === 'elder' && chance(0.35) ? undefined : mobile(w),
    email: chance(o.role === 'elder' ? 0.05 : o.role === 'young' || o.role === 'employee' ? 0.65 : 0.3) ? email(surname, given, 2025 - age) : undefined,
    addr: o.addr, account: account(w), employer,
    device: online ? deviceId() : undefined,
    homeIp: chance(0.45) ? ipv4(pick(['113.246', '175.9', '222.243', '110.53'])) : undefined,
    region: o.addr.village.region,
    profile: profile(o.role, age, female, weak, o.thinFile),
  };
}

// ---------------------------------------------------------------------------------------------
// Time.
let dayCdf: number[] = [];
function buildDayCdf(): void {
  const ws: number[] = [];
  for (let d = 0; d < SPAN_DAYS; d++) {
    let wgt = 1;
    if (d >= PLANTING[0] && d < PLANTING[1]) wgt = 2.3;
    if (d >= HARVEST[0] && d < HARVEST[1]) wgt = 1.9;
    if (d >= 0 && d < 14) wgt *= 0.6; // Spring Festival tail
    const dow = d % 7; // day 0 is a Monday
    if (dow === 6) wgt *= 0.55;
    if (dow === 5) wgt *= 0.8;
    ws.push(wgt);
  }
  let s = 0;
  dayCdf = ws.map((x) => (s += x));
}
function seasonalDay(): number {
  const u = rnd() * (dayCdf[dayCdf.length - 1] ?? 1);
  let lo = 0, hi = dayCdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((dayCdf[mid] ?? 0) < u) lo = mid + 1; else hi = mid;
  }
  return lo;
}
const clampDay = (d: number): number => Math.max(0, Math.min(SPAN_DAYS - 1, Math.round(d)));
type Channel = 'app' | 'branch' | 'web' | 'office';
function at(day: number, ch: Channel): number {
  let hour: number;
  if (ch === 'branch' || ch === 'office') hour = 8.5 + rnd() * 8.5;
  else hour = weighted(T23) + rnd();
  return START + clampDay(day) * DAY + Math.floor(hour * 3_600_000) + int(0, 59_999);
}

// ---------------------------------------------------------------------------------------------
// Applications.
interface Draft { app: Omit<Application, 'applicationId'>; submittedAt: number; ring: string | null; kind: string }
function loan(p: Applicant, role: Role, day: number, weak: boolean): { product: string; amount: number; termMonths: number } {
  const micro = chance(role === 'elder' ? 0.75 : role === 'worker' || role === 'young' ? 0.55 : 0.4);
  const maxAgeAt = micro ? 70 : 75;
  let product = micro ? 'micro_loan' : 'personal_loan';
  let amount: number, termMonths: number;
  if (micro) {
    amount = weighted(T24);
    if (chance(0.25)) amount = int(1, 29) * 100;
    termMonths = pick([3, 6, 6, 9, 12, 12, 12, 18, 24]);
  } else {
    const planting = day >= PLANTING[0] && day < PLANTING[1];
    const base = weighted(T25);
    amount = Math.round(base * (0.7 + rnd() * 0.6) * (weak ? 1.15 : 1) * (planting && role === 'farmer' ? 1.1 : 1) / 100) * 100;
    amount = Math.max(500, Math.min(20000, amount));
    termMonths = amount <= 3000 ? pick([6, 12, 12, 18, 24]) : amount <= 10000 ? pick([12, 18, 24, 24, 36, 36, 48]) : pick([24, 36, 48, 60, 72]);
  }
  while (chance(0.97) && p.age + termMonths / 12 > maxAgeAt && termMonths > (micro ? 3 : 6)) termMonths = micro ? Math.max(3, termMonths - 3) : Math.max(6, termMonths - 6);
  if (chance(0.008)) amount = micro ? pick([3500, 4000, 5000]) : pick([25000, 30000]); // outside the product's bounds
  if (micro && amount > 3000 && chance(0.5)) { product = 'personal_loan'; termMonths = Math.max(termMonths, 6); }
  return { product, amount, termMonths };
}
function draft(p: Person, ids: RawIdentifiers, t: number, kind: string, ring: string | null, prof?: Applicant): Draft {
  const applicant = { ...(prof ?? p.profile), age: p.age };
  const day = Math.floor((t - START) / DAY);
  const clean: RawIdentifiers = {};
  for (const [k, v] of Object.entries(ids) as [keyof RawIdentifiers, string | undefined][]) if (v !== undefined && v.trim() !== '') clean[k] = v;
  return { app: { ...loan(applicant, p.role, day, p.weak), region: p.region, applicant, identifiers: clean }, submittedAt: t, ring, kind };
}
/** The applicant's own identifiers, as sent through a channel. */
function ownIds(w: World, p: Person, ch: Channel): RawIdentifiers {
  const ids: RawIdentifiers = {
    nationalId: chance(0.995) ? wId(p.nid) : undefined,
    phone: p.phone ? wPhone(p.phone) : undefined,
    address: wAddr(p.addr),
    bankAccount: chance(0.93) ? wAccount(p.account) : undefined,
    employer: p.employer && chance(0.92) ? wName(p.employer) : undefined,
    email: p.email && ch !== 'branch' ? wEmail(p.email) : undefined,
  };
  if (ch === 'app') { ids.deviceId = p.device ? wDevice(p.device) : undefined; ids.ip = wIp(pick(w.cgnat)); }
  if (ch === 'web') { ids.deviceId = p.device ? wDevice(p.device) : undefined; ids.ip = wIp(p.homeIp ?? pick(w.cgnat)); }
  if (ch === 'branch' && chance(0.5)) ids.ip = wIp(pick(w.branchIps.get(p.region) ?? w.cgnat));
  return ids;
}
function channelOf(p: Person): Channel {
  if (!p.device) return 'branch';
  return weighted<Channel>([['app', 0.6], ['branch', 0.2], ['web', p.homeIp ? 0.25 : 0.05]]);
}

// ---------------------------------------------------------------------------------------------
// Legitimate structures.
interface Hubs { coops: Coop[]; elders: Person[] }
interface Coop { name: string; landline: string; payout: string; clerkPc: string; officeIp: string; email: string; villages: Village[]; members: Person[] }
const villagesOf = (w: World, region: Region): Village[] => w.villages.filter((v) => v.region === region);

function single(w: World, out: Draft[]): void {
  const role = weighted(T26);
  const p = newPerson(w, { role, addr: newAddr(pick(w.villages)), employer: role === 'farmer' && chance(0.2) ? pick(w.employers) : undefined });
  const ch = channelOf(p);
  const day = seasonalDay();
  out.push(draft(p, ownIds(w, p, ch), at(day, ch), 'single', null));
  if (chance(0.04) && day < SPAN_DAYS - 25) { // re-applies later (another product, sometimes a new number)
    if (chance(0.3)) p.phone = mobile(w);
    const ch2 = channelOf(p);
    out.push(draft(p, ownIds(w, p, ch2), at(day + int(20, 120), ch2), 'single', null));
  }
}

function extendedFamily(w: World, out: Draft[], hubs: Hubs): void {
  const village = pick(w.villages);
  const group = int(1, 12);
  const houses: Addr[] = Array.from({ length: int(2, 4) }, () => newAddr(village, group));
  const n = int(4, 9);
  const familyPhones = [chance(0.5) ? landline(w) : mobile(w)];
  if (chance(0.5)) familyPhones.push(mobile(w));
  const familyAccount = chance(0.4) ? account(w) : undefined;
  const tablet = chance(0.55) ? deviceId() : undefined;
  const homeIp = chance(0.6) ? ipv4(pick(['113.246', '175.9', '222.243'])) : undefined;
  const anchor = seasonalDay();
  for (let i = 0; i < n; i++) {
    const role: Role = i < 2 ? 'elder' : i < 5 ? 'farmer' : pick(['young', 'employee', 'farmer'] as const);
    const house = houses[i % houses.length] as Addr;
    const p = newPerson(w, { role, addr: house, age: role === 'elder' ? int(58, 72) : role === 'farmer' ? int(32, 58) : undefined });
    if (role === 'elder') hubs.elders.push(p);
    let ch = channelOf(p);
    const ids = ownIds(w, p, ch);
    if (!p.phone || chance(role === 'elder' ? 0.7 : 0.3)) ids.phone = wPhone(pick(familyPhones));
    if (familyAccount && chance(role === 'young' ? 0.2 : 0.55)) ids.bankAccount = wAccount(familyAccount);
    if (tablet && chance(0.45)) {
      ch = 'web';
      ids.deviceId = wDevice(tablet);
      ids.ip = wIp(homeIp ?? pick(w.cgnat));
      delete ids.email;
    } else if (homeIp && ids.deviceId && chance(0.5)) ids.ip = wIp(homeIp);
    const day = chance(0.7) ? anchor + int(-10, 25) : seasonalDay();
    out.push(draft(p, ids, at(day, ch), 'extended-family', null));
  }
}

function cooperative(w: World, out: Draft[], hubs: Hubs, n: number): void {
  const region = pick(REGIONS);
  const vs = shuffle(villagesOf(w, region).slice()).slice(0, int(1, 3));
  const v0 = vs[0] as Village;
  const coop: Coop = {
    name: `${COUNTY} ${v0.name} ${pick(['Rice', 'Grain', 'Tea', 'Vegetable', 'Citrus', 'Oil-tea', 'Rapeseed', 'Hog'])} ${pick(['Farming Cooperative', 'Planting Specialized Cooperative', "Farmers' Cooperative"])}`,
    landline: landline(w), payout: account(w), clerkPc: deviceId(), officeIp: ipv4(pick(['113.246', '175.9', '222.243'])),
    email: `${v0.name.toLowerCase()}hzs${int(1, 99)}@163.com`, villages: vs, members: [],
  };
  hubs.coops.push(coop);
  const sessions = Array.from({ length: int(1, 3) }, () => int(PLANTING[0], PLANTING[1] - 5));
  const viaClerk = 0.5 + rnd() * 0.3;
  for (let i = 0; i < n; i++) {
    const p = newPerson(w, { role: chance(0.9) ? 'farmer' : 'elder', addr: newAddr(pick(vs)), employer: chance(0.85) ? coop.name : null });
    coop.members.push(p);
    if (chance(viaClerk)) {
      const ids: RawIdentifiers = ownIds(w, p, 'office');
      ids.deviceId = wDevice(coop.clerkPc);
      ids.ip = wIp(coop.officeIp);
      ids.email = chance(0.15) ? wEmail(coop.email) : undefined;
      if (chance(0.6) || !p.phone) ids.phone = wPhone(coop.landline);
      if (chance(0.7)) ids.bankAccount = wAccount(coop.payout);
      if (chance(0.85)) ids.employer = wName(coop.name);
      out.push(draft(p, ids, at(pick(sessions) + int(0, 4), 'office'), 'cooperative', null));
    } else {
      const ch = channelOf(p);
      const ids = ownIds(w, p, ch);
      if (chance(0.15) || !p.phone) ids.phone = wPhone(coop.landline);
      if (chance(0.35)) ids.bankAccount = wAccount(coop.payout);
      if (p.employer && chance(0.7)) ids.employer = wName(coop.name);
      out.push(draft(p, ids, at(seasonalDay(), ch), 'cooperative', null));
    }
  }
}

function villageDoctor(w: World, out: Draft[], hubs: Hubs, n: number): void {
  const village = pick(w.villages);
  const clinicPhone = chance(0.6) ? landline(w) : mobile(w);
  const doctorPhone = chance(0.3) ? deviceId() : undefined;
  for (let i = 0; i < n; i++) {
    const p = newPerson(w, { role: 'elder', addr: newAddr(village), age: int(60, 73) });
    hubs.elders.push(p);
    let ch: Channel = chance(0.6) || !p.device ? 'branch' : 'app';
    const ids = ownIds(w, p, ch);
    if (chance(0.85)) ids.phone = wPhone(clinicPhone);
    if (doctorPhone && chance(0.5)) { ch = 'app'; ids.deviceId = wDevice(doctorPhone); ids.ip = wIp(pick(w.cgnat)); }
    out.push(draft(p, ids, at(seasonalDay(), ch), 'village-doctor', null));
  }
}

function seasonalWorkers(w: World, out: Draft[], n: number): void {
  const village = pick(w.villages);
  const farm = `${village.name} ${pick(['Family Farm', 'Fruit Plantation', 'Ecological Farm', 'Tea Garden', 'Vegetable Base'])}`;
  const bunk: Addr = { no: int(1, 90), group: int(1, 12), village, unit: pick(['Bunkhouse', 'Dormitory', 'Staff Quarters']) };
  const wifi = ipv4(pick(['113.246', '175.9', '222.243']));
  const foremanPhone = mobile(w);
  const arrival = chance(0.55) ? int(PLANTING[0] - 7, PLANTING[1] - 15) : int(HARVEST[0] - 10, HARVEST[1] - 10);
  const origin = pick(MIGRANT_CODES);
  for (let i = 0; i < n; i++) {
    const p = newPerson(w, { role: 'worker', addr: chance(0.9) ? bunk : newAddr(village), code: chance(0.7) ? origin : pick(MIGRANT_CODES), employer: chance(0.8) ? farm : null });
    const ch: Channel = p.device ? 'app' : 'branch';
    const ids = ownIds(w, p, ch);
    if (ch === 'app' && chance(0.75)) ids.ip = wIp(wifi);
    if (chance(0.15) || !p.phone) ids.phone = wPhone(foremanPhone);
    out.push(draft(p, ids, at(arrival + int(0, 25), ch), 'seasonal-worker', null));
  }
}

// ---------------------------------------------------------------------------------------------
// Rings.
function ghostFarmers(w: World, out: Draft[], hubs: Hubs, ring: string, n: number): void {
  const coop = hubs.coops.length > 0 ? pick(hubs.coops) : undefined;
  const village = coop ? pick(coop.villages) : pick(w.villages);
  const coopName = coop?.name ?? `${COUNTY} ${village.name} Grain Farming Cooperative`;
  const devices = [deviceId(), ...(chance(0.4) ? [deviceId()] : [])];
  const ips = [pick(w.cgnat), chance(0.5) ? ipv4('175.9') : pick(w.cgnat)];
  const mules = Array.from({ length: int(2, 3) }, () => account(w));
  const simBase = Number(pick(['170', '171', '165', '167', '162']) + digits(8)) - 40;
  let sim = 0;
  const stash = chance(0.5) ? newAddr(village) : undefined;
  const start = chance(0.6) ? int(PLANTING[0], PLANTING[1] - 6) : int(0, SPAN_DAYS - 7);
  const len = int(1, 5);
  const cohort = int(28, 50);
  const phones: string[] = [];
  for (let i = 0; i < n; i++) {
    const addr = stash && chance(0.3) ? stash : newAddr(village);
    const p = newPerson(w, { role: 'farmer', addr, weakShare: RING_WEAK_SHARE, age: Math.max(22, cohort + int(-8, 12)), employer: chance(0.8) ? coopName : null, thinFile: true });
    sim += int(1, 3);
    let phone = String(simBase + sim);
    w.usedPhones.add(phone);
    if (phones.length > 0 && chance(0.12)) phone = pick(phones);
    phones.push(phone);
    const ids: RawIdentifiers = {
      nationalId: wId(p.nid), address: wAddr(addr), bankAccount: wAccount(pick(mules)),
      phone: coop && chance(0.2) ? wPhone(coop.landline) : wPhone(phone),
      deviceId: wDevice(chance(0.85) ? (devices[0] as string) : pick(devices)), ip: wIp(pick(ips)),
      employer: p.employer ? wName(p.employer) : undefined,
      email: chance(0.2) ? `${pick(SYLL)}${pick(GIVEN)}${digits(4)}@${pick(['163.com', '126.com'])}` : undefined,
    };
    out.push(draft(p, ids, at(start + int(0, len), chance(0.5) ? 'office' : 'app'), 'ghost-farmers', ring));
  }
}

function subsidyReuse(w: World, out: Draft[], hubs: Hubs, ring: string, n: number): void {
  const k = int(3, 4);
  const region = pick(REGIONS);
  const pool = hubs.elders.filter((e) => e.region === region);
  const victims: Person[] = [];
  for (let i = 0; i < k; i++) {
    const real = pool.length > 0 && chance(0.8) ? pool.splice(int(0, pool.length - 1), 1)[0] : undefined;
    victims.push(real ?? newPerson(w, { role: 'elder', addr: newAddr(pick(villagesOf(w, region))), age: int(62, 74) }));
  }
  const accounts = Array.from({ length: int(1, 3) }, () => account(w));
  const devices = Array.from({ length: int(1, 3) }, () => deviceId());
  const hideout = newAddr(pick(villagesOf(w, region)));
  const start = int(0, SPAN_DAYS - 60);
  const spread = int(20, 90);
  let day = start;
  for (let i = 0; i < n; i++) {
    const v = victims[i % k] as Person;
    if (i % k === 0 || chance(0.3)) day = Math.min(SPAN_DAYS - 1, day + int(0, Math.ceil((spread / n) * 2)));
    const p: Person = { ...v, phone: mobile(w) };
    const prof = { ...v.profile, purpose: pick(['business', 'repairs', 'domestic_appliance', 'other']), savingsAccountBonds: pick(['lt_100', 'unknown', v.profile.savingsAccountBonds]) };
    const ids: RawIdentifiers = {
      nationalId: wId(v.nid), phone: wPhone(p.phone as string),
      address: wAddr(chance(0.75) ? v.addr : hideout),
      bankAccount: wAccount(chance(0.85) ? pick(accounts) : v.account),
      deviceId: wDevice(pick(devices)), ip: wIp(pick(w.cgnat)),
    };
    out.push(draft(p, ids, at(day, 'app'), 'subsidy-identity-reuse', ring, prof));
  }
}

function agentProxy(w: World, out: Draft[], hubs: Hubs, ring: string, n: number): void {
  const region = pick(REGIONS);
  const vs = shuffle(villagesOf(w, region).slice()).slice(0, int(1, 3));
  const agentPhone = mobile(w);
  const agentDevice = deviceId();
  const agentHome = ipv4('113.246');
  const agentEmail = chance(0.5) ? email(pick(SYLL), pick(GIVEN), int(70, 95)) : undefined;
  const coop = hubs.coops.find((c) => c.villages.some((v) => vs.includes(v)));
  const start = int(0, SPAN_DAYS - 45);
  const weeks = int(2, 6);
  const days = Array.from({ length: n }, () => start + int(0, weeks * 7));
  for (let i = 0; i < n; i++) {
    const role = weighted(T27);
    const p = newPerson(w, { role, addr: newAddr(pick(vs)), weakShare: RING_WEAK_SHARE, employer: coop && chance(0.2) ? coop.name : undefined });
    const ids: RawIdentifiers = {
      nationalId: wId(p.nid), address: wAddr(p.addr), bankAccount: wAccount(p.account),
      phone: wPhone(chance(0.75) || !p.phone ? agentPhone : p.phone),
      deviceId: wDevice(chance(0.9) ? agentDevice : p.device ?? agentDevice),
      ip: wIp(chance(0.4) ? agentHome : pick(w.cgnat)),
      employer: p.employer ? wName(p.employer) : undefined,
      email: agentEmail && chance(0.3) ? wEmail(agentEmail) : p.email && chance(0.4) ? wEmail(p.email) : undefined,
    };
    out.push(draft(p, ids, at(days[i] ?? start, 'office'), 'agent-proxy', ring));
  }
}

// ---------------------------------------------------------------------------------------------
function generate({ seed, size = DEFAULT_SIZE }: { readonly seed: number; readonly size?: number }): Population {
  R = mulberry32(seed ^ 0x52a1c0);
  buildDayCdf();
  const total = Math.max(100, Math.round(size));
  const w = buildWorld();
  const hubs: Hubs = { coops: [], elders: [] };
  const out: Draft[] = [];
  const ringTarget = Math.round(total * (0.035 + rnd() * 0.02));
  const legitTarget = total - ringTarget;

  // Legitimate structures, chosen in proportion to their share of applications.
  const sizeOf: Record<string, () => number> = {
    'extended-family': () => int(4, 9), cooperative: () => int(10, 40), 'village-doctor': () => int(3, 8), 'seasonal-worker': () => int(4, 15),
  };
  const table = LEGIT_STRUCTURES.map((s) => [s, (LEGIT_SHARES[s] ?? 0) / (MEAN_GROUP[s] ?? 1)] as const);
  while (out.length < legitTarget) {
    const left = legitTarget - out.length;
    const s = weighted(table);
    const n = sizeOf[s]?.() ?? 1;
    if (s === 'single' || n > left) { single(w, out); continue; }
    if (s === 'extended-family') extendedFamily(w, out, hubs);
    else if (s === 'cooperative') cooperative(w, out, hubs, n);
    else if (s === 'village-doctor') villageDoctor(w, out, hubs, n);
    else seasonalWorkers(w, out, n);
  }

  // Rings: two of every shape first, then more until the budget is spent.
  const ringSize: Record<Shape, () => number> = {
    'ghost-farmers': () => int(8, 24), 'subsidy-identity-reuse': () => int(4, 12), 'agent-proxy': () => int(6, 15),
  };
  const plan: { shape: Shape; n: number }[] = [];
  for (const shape of shuffle([...RING_SHAPES, ...RING_SHAPES])) plan.push({ shape, n: ringSize[shape]() });
  let planned = plan.reduce((a, r) => a + r.n, 0);
  if (planned > ringTarget) {
    for (const r of plan) r.n = Math.max(4, Math.floor((r.n * ringTarget) / planned));
  } else {
    for (;;) {
      const shape = pick(RING_SHAPES);
      const n = ringSize[shape]();
      if (planned + n > ringTarget) {
        const rest = ringTarget - planned;
        if (rest >= 4) plan.push({ shape: 'agent-proxy', n: Math.min(15, rest) });
        break;
      }
      plan.push({ shape, n });
      planned += n;
    }
  }
  const counters: Record<Shape, number> = { 'ghost-farmers': 0, 'subsidy-identity-reuse': 0, 'agent-proxy': 0 };
  for (const { shape, n } of plan) {
    const ring = `rural-${shape}-${++counters[shape]}`;
    if (shape === 'ghost-farmers') ghostFarmers(w, out, hubs, ring, n);
    else if (shape === 'subsidy-identity-reuse') subsidyReuse(w, out, hubs, ring, n);
    else agentProxy(w, out, hubs, ring, n);
  }

  // Sort, then number the applications as the lender would.
  const order = out.map((d, i) => [d, i] as const).sort((a, b) => a[0].submittedAt - b[0].submittedAt || a[1] - b[1]);
  const members: PopulationMember[] = order.map(([d], i) => ({
    application: { applicationId: `QX${new Date(d.submittedAt + 8 * 3_600_000).toISOString().slice(2, 10).replace(/-/g, '')}-${pad(i + 1, 6)}`, ...d.app },
    submittedAt: d.submittedAt,
    ring: d.ring,
    kind: d.kind,
  }));
  return { generator: 'rural', seed, members };
}

export const generator: PopulationGenerator = {
  name: 'rural',
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT_STRUCTURES,
  generate,
};
