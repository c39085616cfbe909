// The "industrial" population: a consumer-credit portfolio drawn from factory towns (Dongguan,
// Shenzhen Longhua, Kunshan/Suzhou, Tianjin TEDA, Chongqing, Chengdu) over 200 days from
// 3 March 2025. About 4.5% of applications come from fraud rings; about 25% of applicants
// (WEAK_SHARE) have weak credit profiles, ring members included at a similar rate.
//
// Legitimate structures (all share identifiers in benign ways):
// - single:          an independent worker. Own phone/device/email/bank; often names a large
//                    factory as employer (employer hubs of hundreds) and applies over mobile
//                    carrier-grade-NAT IPs shared by many strangers; some self-employed omit employer.
// - dormitory:       roommates in a factory dormitory. Same dorm address (room-level, or only the
//                    block, which links whole blocks), the block's Wi-Fi IP, the same employer;
//                    now and then a roommate's phone lends its device.
// - shift-crew:      a production-line crew. Same employer, the canteen Wi-Fi IP at lunch break,
//                    payroll cards at the factory's payroll bank (own numbers); apply after paydays;
//                    some share a rented building in the nearby urban village.
// - family-workshop: a household running a small workshop. Same home address, landline (used as
//                    the phone by some), home broadband IP, a shared family tablet, sometimes the
//                    workshop's business account and the workshop as employer.
// - labour-agency:   a crew onboarded by a labour-dispatch agency whose clerk files the workers'
//                    applications from the agency office in one to four days: shared office PCs
//                    (deviceId), office IP, agency dormitory address, sometimes the clerk's phone.
//                    Legitimate, yet bursty and device-sharing: the hardest benign case.
//
// Fraud-ring shapes:
// - device-farm:       an operator applies for synthetic identities (fresh, valid-looking national
//                      IDs) from 1-3 handsets, in night-time waves of 1-3 days; burner SIM pool,
//                      2-4 mule accounts; camouflage: real factory employers and real dorm addresses,
//                      some applications over carrier-NAT IPs.
// - payroll-mule:      a broker recruits real workers of one factory to borrow "for a fee": real IDs,
//                      own phones and dorm address/IP shared with legitimate roommates, but payouts
//                      routed to the broker's 1-3 accounts and some apps filed on the broker's phone
//                      or handset; spread over 2-6 weeks.
// - ghost-employer:    a shell subcontractor certifies straw borrowers: one fake employer, its office
//                      address/landline/IP for many, 2-4 office devices, inflated employment and
//                      larger personal loans over 1-4 weeks.
// - identity-takeover: a leaked HR roster of one factory: victims' real national IDs, addresses and
//                      employer (shared with the real people, who also apply) with new emails, a few
//                      burner phones, 1-2 handsets, proxy IPs, mule accounts; burst of 1-5 days.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

const NAME = 'industrial';
const WEAK_SHARE = 0.25;
const RING_SHARE = 0.045;
const DAY = 86_400_000;
const SPAN_DAYS = 200;
const START = Date.UTC(2025, 2, 3) - 8 * 3_600_000; // midnight, China time
const LEGIT = ['single', 'dormitory', 'shift-crew', 'family-workshop', 'labour-agency'] as const;
const SHAPES = ['device-farm', 'payroll-mule', 'ghost-employer', 'identity-takeover'] as const;
type Shape = (typeof SHAPES)[number];
const RING_SIZE: Record<Shape, [number, number]> = {
  'device-farm': [8, 26], 'payroll-mule': [5, 16], 'ghost-employer': [4, 14], 'identity-takeover': [4, 11],
};

// ---------- PRNG ----------
class Rng {
  private s: number;
  constructor(seed: number) { this.s = (seed ^ 0x9e3779b9) >>> 0; this.next(); this.next(); }
  next(): number { // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(a: number, b: number): number { return a + Math.floor(this.next() * (b - a + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(a: readonly T[]): T { return a[Math.floor(this.next() * a.length)] as T; }
  weighted<T extends string>(w: Readonly<Partial<Record<T, number>>>): T {
    const entries = Object.entries(w) as [T, number][];
    let r = this.next() * entries.reduce((s, [, v]) => s + v, 0);
    for (const [k, v] of entries) { r -= v; if (r < 0) return k; }
    return (entries[entries.length - 1] as [T, number])[0];
  }
  digits(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(0, 9)); return s; }
  hex(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)]; return s; }
}

// ---------- world ----------
interface Town { name: string; district: string; region: string; area: string; roads: string[]; villages: string[] }
const TOWNS: Town[] = [
  { name: 'Dongguan', district: "Chang'an", region: 'south', area: '0769', roads: ['Jinxiu Road', 'Wusha Avenue', 'Xiaobian Road'], villages: ['Xiaobian Village', 'Shangsha Village'] },
  { name: 'Dongguan', district: 'Humen', region: 'south', area: '0769', roads: ['Humen Avenue', 'Lianhua Road'], villages: ['Baisha Village', 'Huaiqiao Village'] },
  { name: 'Shenzhen', district: 'Longhua', region: 'south', area: '0755', roads: ['Donghuan 2nd Road', 'Minzhi Avenue'], villages: ['Qinghu Village', 'Dalang Village'] },
  { name: 'Kunshan', district: 'Zhoushi', region: 'east', area: '0512', roads: ['Qianjin East Road', 'Changjiang North Road'], villages: ['Xiaxi Village', 'Zhaotian Village'] },
  { name: 'Suzhou', district: 'Industrial Park', region: 'east', area: '0512', roads: ['Xinghu Street', 'Suhong Road'], villages: ['Weiting Village', 'Loufeng Village'] },
  { name: 'Tianjin', district: 'TEDA', region: 'north', area: '022', roads: ['Fourth Avenue', 'Hongda Street'], villages: ['Tanggu Xincun', 'Hangu Nanli'] },
  { name: 'Chongqing', district: 'Liangjiang', region: 'west', area: '023', roads: ['Jinyu Avenue', 'Huangshan Avenue'], villages: ['Yuelai Village', 'Cuiyun Village'] },
  { name: 'Chengdu', district: 'Pidu', region: 'west', area: '028', roads: ['Gangtong Road', 'Deyuan Road'], villages: ['Hongguang Village', 'Ande Village'] },
];
const BRANDS = ['Huaxing', 'Jinlong', 'Hongda', 'Xinyuan', 'Fuqiang', 'Tianhe', 'Yuecheng', 'Baoli', 'Shengda', 'Mingyang', 'Kaida', 'Lianfa', 'Ruitai', 'Zhongxin', 'Haoyu', 'Dingsheng', 'Weilong', 'Changfeng', 'Jiahe', 'Xiangtai'];
const INDUSTRIES = ['Electronics', 'Precision Mould', 'Garment', 'Plastic Products', 'Auto Parts', 'Hardware', 'Optoelectronic', 'Furniture', 'Shoes', 'Packaging'];
const SURNAMES = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'lin', 'luo', 'gao', 'deng', 'peng'];
const GIVEN = ['wei', 'fang', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'tao', 'ming', 'chao', 'xiu', 'hui', 'ping', 'gang', 'hong', 'xia', 'bo', 'hao', 'peng', 'dan', 'lan'];
const ORIGINS = ['411323', '412726', '511321', '513022', '430524', '431121', '452501', '360731', '522426', '341221', '500236', '440882'];
const PAYROLL_BANKS = ['6222', '6217', '6228', '6214', '6226', '6230'];

interface Factory { name: string; town: Town; canteenIp: string; blocks: { address: string; ip: string }[]; bank: string; workers: Person[] }
interface Agency { name: string; town: Town; office: string; dorm: string; ip: string; devices: string[]; clerkPhone: string }
interface Person {
  nid: string; phone: string; email?: string; device?: string; address: string; bank: string; employer?: string;
  town: Town; age: number; male: boolean; weak: boolean; housing: string; job: string; employment: string;
}
interface Canon { nationalId?: string; phone?: string; deviceId?: string; ip?: string; email?: string; address?: string; bankAccount?: string; employer?: string }
interface Draft { canon: Canon; at: number; ring: string | null; kind: string; region: string; applicant: Applicant; product: string; amount: number; termMonths: number }

class World {
  readonly used = new Set<string>();
  readonly factories: Factory[] = [];
  readonly agencies: Agency[] = [];
  readonly cgnat = new Map<string, string[]>();
  constructor(readonly r: Rng, size: number) {
    for (const t of TOWNS) {
      const pool: string[] = [];
      for (let i = 0; i < 6 + Math.floor(size / 800); i++) pool.push(this.uniq(() => `${r.pick(['223.104', '117.136', '39.144', '111.55'])}.${r.int(0, 255)}.${r.int(1, 254)}`));
      this.cgnat.set(`${t.name}/${t.district}`, pool);
    }
    const nf = Math.min(40, 8 + Math.floor(size / 400));
    for (let i = 0; i < nf; i++) {
      const town = TOWNS[i % TOWNS.length] as Town;
      const brand = this.uniq(() => `${r.pick(BRANDS)} ${r.pick(INDUSTRIES)}`);
      const park = `${brand.split(' ')[0] ?? 'Xin'} Industrial Park`;
      const road = `${r.int(1, 399)} ${r.pick(town.roads)}`;
      const blocks = Array.from({ length: r.int(2, 6) }, (_, b) => ({
        address: `Dormitory Block ${b + 1}, ${park}, ${road}, ${town.district}, ${town.name}`,
        ip: this.homeIp(),
      }));
      this.factories.push({ name: `${town.name} ${brand} Co., Ltd.`, town, canteenIp: this.homeIp(), blocks, bank: r.pick(PAYROLL_BANKS), workers: [] });
    }
    for (let i = 0; i < 3 + Math.floor(size / 1500); i++) {
      const town = r.pick(TOWNS);
      const brand = this.uniq(() => `${r.pick(BRANDS)}${r.pick(['', ' Renli', ' Zhongjie'])}`);
      this.agencies.push({
        name: `${town.name} ${brand} Human Resources Services Co., Ltd.`, town,
        office: `Room ${r.int(2, 9)}0${r.int(1, 9)}, ${r.int(1, 199)} ${r.pick(town.roads)}, ${town.district}, ${town.name}`,
        dorm: `${r.int(1, 60)} ${r.pick(town.villages)} Lane ${r.int(1, 12)}, ${town.district}, ${town.name}`,
        ip: this.homeIp(), devices: Array.from({ length: r.int(2, 5) }, () => this.device()), clerkPhone: this.mobile(),
      });
    }
  }
  uniq(f: () => string): string { for (;;) { const v = f(); if (!this.used.has(v)) { this.used.add(v); return v; } } }
  mobile(): string { return this.uniq(() => `|1${this.r.pick(['3', '5', '7', '8', '9'])}${this.r.digits(9)}`); }
  landline(t: Town): string { return this.uniq(() => `${t.area}|${this.r.int(2, 8)}${this.r.digits(7)}`); }
  homeIp(): string { return this.uniq(() => `${this.r.pick(['113', '183', '14', '116', '221', '58'])}.${this.r.int(0, 255)}.${this.r.int(0, 255)}.${this.r.int(1, 254)}`); }
  proxyIp(): string { return this.uniq(() => `${this.r.pick(['103', '45', '154', '185'])}.${this.r.int(0, 255)}.${this.r.int(0, 255)}.${this.r.int(1, 254)}`); }
  device(): string { return this.uniq(() => this.r.chance(0.6) ? this.r.hex(16) : `${this.r.hex(8)}-${this.r.hex(4)}-4${this.r.hex(3)}-a${this.r.hex(3)}-${this.r.hex(12)}`); }
  bank(prefix?: string): string { return this.uniq(() => `${prefix ?? this.r.pick(PAYROLL_BANKS)}${this.r.digits(this.r.chance(0.8) ? 15 : 12)}`); }
  email(): string {
    const r = this.r;
    return this.uniq(() => r.chance(0.35) ? `${r.int(10_000_000, 2_999_999_999)}@qq.com`
      : `${r.pick(SURNAMES)}${r.pick(GIVEN)}${r.chance(0.5) ? r.pick(GIVEN) : ''}${r.chance(0.3) ? '.' : ''}${r.int(1, 9999)}@${r.pick(['163.com', '126.com', 'qq.com', 'sina.com', '139.com'])}`);
  }
  nid(age: number, male: boolean): string {
    const r = this.r;
    return this.uniq(() => {
      const y = 2025 - age - (r.chance(0.6) ? 1 : 0);
      const body = `${r.pick(ORIGINS)}${y}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}${r.digits(2)}${male ? r.pick([1, 3, 5, 7, 9]) : r.pick([0, 2, 4, 6, 8])}`;
      const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
      let s = 0;
      for (let i = 0; i < 17; i++) s += Number(body[i]) * (w[i] as number);
      return body + ('10X98765432'[s % 11] as string);
    });
  }
  rented(t: Town): string { return `${this.r.int(1, 120)} ${this.r.pick(t.villages)} Lane ${this.r.int(1, 15)}${this.r.chance(0.6) ? `, Room ${this.r.int(1, 6)}0${this.r.int(1, 8)}` : ''}, ${t.district}, ${t.name}`; }
  person(town: Town, o: Partial<Person> & { minAge?: number; maxAge?: number; weakShare?: number }): Person {
    const r = this.r;
    const age = o.age ?? Math.min(o.maxAge ?? 58, Math.max(o.minAge ?? 21, Math.round(19 + r.next() * r.next() * 40 + r.int(0, 4))));
    const male = o.male ?? r.chance(0.58);
    const weak = o.weak ?? r.chance(o.weakShare ?? WEAK_SHARE);
    return {
      nid: o.nid ?? this.nid(age, male), phone: o.phone ?? this.mobile(), email: 'email' in o ? o.email : (r.chance(0.85) ? this.email() : undefined),
      device: 'device' in o ? o.device : this.device(), address: o.address ?? this.rented(town), bank: o.bank ?? this.bank(),
      employer: 'employer' in o ? o.employer : r.pick(this.factories).name, town, age, male, weak,
      housing: o.housing ?? r.weighted({ rent: 0.6, for_free: 0.2, own: 0.2 }),
      job: o.job ?? (weak ? r.weighted({ unskilled_resident: 0.5, unemployed_unskilled: 0.15, skilled_employee: 0.35 }) : r.weighted({ skilled_employee: 0.6, unskilled_resident: 0.3, management_self_emp_highly_qualified: 0.1 })),
      employment: o.employment ?? (weak ? r.weighted({ lt_1: 0.4, '1_to_4': 0.35, unemployed: 0.1, '4_to_7': 0.15 }) : r.weighted({ lt_1: 0.12, '1_to_4': 0.38, '4_to_7': 0.28, gt_7: 0.22 })),
    };
  }
  mobileIp(t: Town): string { return this.r.chance(0.55) ? this.r.pick(this.cgnat.get(`${t.name}/${t.district}`) ?? ['223.104.1.1']) : this.homeIp(); }
}

// ---------- credit profile and loan ----------
function applicant(r: Rng, p: Person, tilt: { hasTelephone?: boolean; foreign?: number } = {}): Applicant {
  const w = p.weak;
  return {
    age: p.age,
    checkingAccountStatus: w ? r.weighted({ lt_0: 0.38, '0_to_200': 0.37, none: 0.17, gt_200: 0.08 }) : r.weighted({ none: 0.42, '0_to_200': 0.26, gt_200: 0.12, lt_0: 0.2 }),
    creditHistory: w ? r.weighted({ paid_duly: 0.38, delay: 0.2, no_credit_all_paid: 0.14, this_bank_all_paid: 0.14, critical: 0.14 }) : r.weighted({ paid_duly: 0.55, critical: 0.28, delay: 0.07, this_bank_all_paid: 0.05, no_credit_all_paid: 0.05 }),
    purpose: r.weighted({ radio_television: 0.22, furniture_equipment: 0.16, used_car: 0.12, new_car: 0.1, domestic_appliance: 0.05, education: 0.06, repairs: 0.05, business: 0.1, retraining: 0.04, other: 0.1 }),
    savingsAccountBonds: w ? r.weighted({ lt_100: 0.75, '100_to_500': 0.13, unknown: 0.1, '500_to_1000': 0.02 }) : r.weighted({ lt_100: 0.42, '100_to_500': 0.13, '500_to_1000': 0.08, gt_1000: 0.08, unknown: 0.29 }),
    employmentDuration: p.employment,
    personalStatusSex: p.male ? r.weighted({ male_single: 0.55, male_married_widowed: 0.35, male_divorced_seperated: 0.1 }) : 'female_not_single',
    otherDebtorsGuarantors: r.weighted({ none: 0.9, guarantor: 0.05, co_applicant: 0.05 }),
    property: p.housing === 'own' ? r.weighted({ real_estate: 0.55, insurance: 0.25, car_other: 0.2 }) : r.weighted({ unknown: 0.3, car_other: 0.4, insurance: 0.25, real_estate: 0.05 }),
    otherInstallmentPlans: w ? r.weighted({ none: 0.62, bank: 0.23, stores: 0.15 }) : r.weighted({ none: 0.86, bank: 0.1, stores: 0.04 }),
    housing: p.housing,
    job: p.job,
    installmentRatePct: w ? r.weighted({ '4': 0.6, '3': 0.25, '2': 0.15 }) === '4' ? 4 : r.int(2, 3) : r.int(1, 4),
    residenceYears: p.housing === 'for_free' ? r.int(1, 2) : r.int(1, 4),
    existingCredits: w ? r.int(1, 3) : r.chance(0.7) ? 1 : 2,
    dependents: p.age > 28 && r.chance(0.35) ? 2 : 1,
    hasTelephone: tilt.hasTelephone ?? r.chance(0.25),
    foreignWorker: r.chance(tilt.foreign ?? 0.4),
  };
}
function loan(r: Rng, microShare: number, big = false): { product: string; amount: number; termMonths: number } {
  if (r.chance(microShare)) {
    const amount = Math.min(3000, Math.max(100, Math.round((200 + r.next() * r.next() * 2900) / 100) * 100));
    return { product: 'micro_loan', amount: r.chance(0.01) ? 3500 : amount, termMonths: r.pick([3, 3, 6, 6, 6, 9, 12, 12, 18, 24]) };
  }
  const base = big ? 4000 + r.next() * 16000 : 500 + r.next() * r.next() * 18000;
  const amount = Math.min(20000, Math.max(250, Math.round(base / 500) * 500));
  return { product: 'personal_loan', amount: r.chance(0.008) ? 25000 : amount, termMonths: r.pick([6, 12, 12, 18, 24, 24, 36, 36, 48, 60, 72]) };
}

// ---------- time ----------
const DAY_HOURS = [1, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 2.2, 2, 2, 2.4, 4, 3, 2, 1.8, 1.8, 2, 2.4, 3.4, 4.2, 4, 3, 2];
function hourOf(r: Rng): number {
  let x = r.next() * DAY_HOURS.reduce((a, b) => a + b, 0);
  for (let h = 0; h < 24; h++) { x -= DAY_HOURS[h] as number; if (x < 0) return h + r.next(); }
  return 23.5;
}
const at = (day: number, hour: number) =>
  Math.min(START + SPAN_DAYS * DAY - 1000, START + Math.floor(Math.min(SPAN_DAYS - 1, Math.max(0, day)) * DAY) + (Math.floor(hour * 3_600_000) % DAY));
function anyDay(r: Rng): number { return r.int(0, SPAN_DAYS - 1); }
function paydayish(r: Rng): number { // the 10th-14th of a month, days from 3 March
  const months = [7, 38, 68, 99, 129, 160, 191];
  return Math.min(SPAN_DAYS - 1, (months[r.int(0, months.length - 1)] as number) + r.int(0, 5));
}

// ---------- rendering (how applicants type things) ----------
function spaced(s: string, groups: number[], sep: string): string {
  const out: string[] = []; let i = 0;
  for (const g of groups) { if (i >= s.length) break; out.push(s.slice(i, i + g)); i += g; }
  if (i < s.length) out.push(s.slice(i));
  return out.join(sep);
}
function renderPhone(r: Rng, c: string): string {
  const [area = '', num = ''] = c.split('|');
  if (area) {
    const a = area.slice(1);
    return r.pick([`${area}-${num}`, `${area} ${num}`, `(${area}) ${spaced(num, [4], '-')}`, `+86 ${a} ${spaced(num, [4], ' ')}`, `0086 ${a} ${num}`]);
  }
  return r.weighted({ bare: 0.4, spaced: 0.2, plus: 0.2, plusd: 0.1, zz: 0.07, dash: 0.03 }) === 'bare' ? num
    : r.pick([`${spaced(num, [3, 4], ' ')}`, `+86 ${spaced(num, [3, 4], ' ')}`, `+86${num}`, `0086 ${num}`, `+86-${spaced(num, [3, 4], '-')}`]);
}
function renderText(r: Rng, c: string): string {
  const v = r.next();
  if (v < 0.55) return c;
  if (v < 0.67) return c.toUpperCase();
  if (v < 0.77) return c.toLowerCase();
  if (v < 0.88) return c.replace(/[.,]/g, '');
  if (v < 0.95) return c.replace(/, /g, ',  ');
  return ` ${c} `;
}
function render(r: Rng, c: Canon): RawIdentifiers {
  const o: RawIdentifiers = {};
  if (c.nationalId) o.nationalId = r.chance(0.8) ? c.nationalId : r.chance(0.5) ? spaced(c.nationalId, [6, 8], ' ') : c.nationalId.toLowerCase();
  if (c.phone) o.phone = renderPhone(r, c.phone);
  if (c.deviceId) o.deviceId = r.chance(0.85) ? c.deviceId : c.deviceId.toUpperCase();
  if (c.ip) o.ip = r.chance(0.96) ? c.ip : `::ffff:${c.ip}`;
  if (c.email) o.email = r.chance(0.85) ? c.email : c.email.charAt(0).toUpperCase() + c.email.slice(1);
  if (c.address) o.address = renderText(r, c.address);
  if (c.bankAccount) o.bankAccount = r.chance(0.6) ? c.bankAccount : spaced(c.bankAccount, [4, 4, 4, 4], r.chance(0.8) ? ' ' : '-');
  if (c.employer) o.employer = renderText(r, c.employer);
  return o;
}

// ---------- generation ----------
function canonOf(p: Person, ip: string | undefined, branch: boolean): Canon {
  const c: Canon = { nationalId: p.nid, phone: p.phone, address: p.address, bankAccount: p.bank };
  if (p.employer) c.employer = p.employer;
  if (p.email) c.email = p.email;
  if (!branch) { if (p.device) c.deviceId = p.device; if (ip) c.ip = ip; }
  return c;
}

function generate(options: { readonly seed: number; readonly size?: number }): Population {
  const size = Math.max(1, Math.round(options.size ?? 3000));
  const r = new Rng(Math.imul(options.seed | 0, 2654435761) ^ 0x1d872b41);
  const w = new World(r, size);
  const drafts: Draft[] = [];
  const ringTarget = Math.round(size * RING_SHARE);
  const legitTarget = size - ringTarget;
  let legitCount = 0;

  const emit = (p: Person, kind: string, day: number, hour: number, ip: string | undefined, o: { micro?: number; big?: boolean; tel?: boolean; foreign?: number; branch?: boolean } = {}) => {
    const branch = o.branch ?? r.chance(0.12);
    const apl = applicant(r, p, { hasTelephone: o.tel, foreign: o.foreign });
    const l = loan(r, o.micro ?? 0.45, o.big);
    drafts.push({ canon: canonOf(p, ip, branch), at: at(day, hour), ring: null, kind, region: p.town.region, applicant: apl, ...l });
    legitCount++;
    if (r.chance(0.04) && day < SPAN_DAYS - 10) { // reapplies later, e.g. after a decline, smaller amount
      const l2 = loan(r, 0.7);
      drafts.push({ canon: canonOf(p, ip, branch), at: at(day + r.int(3, 45), hourOf(r)), ring: null, kind, region: p.town.region, applicant: { ...apl }, ...l2 });
      legitCount++;
    }
  };

  // legitimate structures
  while (legitCount < legitTarget) {
    const kind = r.weighted({ single: 0.34, dormitory: 0.04, 'shift-crew': 0.019, 'family-workshop': 0.029, 'labour-agency': 0.012 }) // ~35/22/18/10/15% of members;
    if (kind === 'single') {
      const town = r.pick(TOWNS);
      const self = r.chance(0.15);
      const f = r.pick(w.factories);
      const p = w.person(self ? town : f.town, self ? { employer: r.chance(0.7) ? undefined : `${town.name} ${r.pick(BRANDS)} ${r.pick(['Trading', 'Logistics', 'Catering'])} Firm`, job: r.chance(0.5) ? 'management_self_emp_highly_qualified' : undefined }
        : r.chance(0.8) ? { employer: f.name, bank: w.bank(f.bank) } : {});
      if (!self) f.workers.push(p);
      emit(p, kind, anyDay(r), hourOf(r), w.mobileIp(p.town));
    } else if (kind === 'dormitory') {
      const f = r.pick(w.factories);
      const block = r.pick(f.blocks);
      const room = `Room ${r.int(1, 6)}${String(r.int(1, 30)).padStart(2, '0')}, ${block.address}`;
      const n = r.int(3, 8);
      const lender = r.chance(0.15) ? w.device() : undefined;
      for (let i = 0; i < n && legitCount < legitTarget; i++) {
        const p = w.person(f.town, { address: r.chance(0.7) ? room : block.address, employer: r.chance(0.93) ? f.name : undefined, bank: w.bank(f.bank), housing: 'for_free', maxAge: 42, email: r.chance(0.75) ? w.email() : undefined, device: lender && i < 2 ? lender : w.device() });
        f.workers.push(p);
        emit(p, kind, anyDay(r), hourOf(r), r.chance(0.65) ? block.ip : w.mobileIp(f.town), { foreign: 0.6, tel: false, micro: 0.6 });
      }
    } else if (kind === 'shift-crew') {
      const f = r.pick(w.factories);
      const n = r.int(4, 15);
      const shared = w.rented(f.town);
      for (let i = 0; i < n && legitCount < legitTarget; i++) {
        const p = w.person(f.town, { employer: f.name, bank: w.bank(f.bank), address: r.chance(0.2) ? shared : undefined });
        f.workers.push(p);
        const canteen = r.chance(0.4);
        emit(p, kind, r.chance(0.6) ? paydayish(r) : anyDay(r), canteen ? 11.5 + r.next() * 1.5 : hourOf(r), canteen ? f.canteenIp : w.mobileIp(f.town));
      }
    } else if (kind === 'family-workshop') {
      const town = r.pick(TOWNS);
      const home = `${r.int(1, 300)} ${r.pick(town.roads)}${r.chance(0.5) ? `, Unit ${r.int(1, 4)}` : ''}, ${town.district}, ${town.name}`;
      const landline = w.landline(town);
      const ip = w.homeIp();
      const tablet = r.chance(0.4) ? w.device() : undefined;
      const workshop = `${town.name} ${r.pick(SURNAMES).replace(/^./, (c) => c.toUpperCase())}'s ${r.pick(['Hardware Workshop', 'Garment Workshop', 'Mould Processing Shop', 'Printing Shop'])}`;
      const bizAcct = r.chance(0.3) ? w.bank() : undefined;
      const n = r.int(2, 5);
      const elder = r.int(38, 58);
      for (let i = 0; i < n && legitCount < legitTarget; i++) {
        const age = i < 2 ? elder - r.int(0, 4) : r.int(21, Math.max(21, elder - 20));
        const p = w.person(town, {
          age, male: i === 0 ? true : i === 1 ? false : undefined, address: home, housing: 'own',
          phone: r.chance(0.35) ? landline : undefined, device: tablet && r.chance(0.6) ? tablet : w.device(),
          employer: r.chance(0.45) ? workshop : r.chance(0.5) ? undefined : r.pick(w.factories).name,
          bank: bizAcct && i < 2 ? bizAcct : undefined, job: i < 2 ? 'management_self_emp_highly_qualified' : undefined,
          employment: i < 2 ? r.pick(['4_to_7', 'gt_7']) : undefined,
        });
        emit(p, kind, anyDay(r), hourOf(r), r.chance(0.7) ? ip : w.mobileIp(town), { tel: true, foreign: 0.1, micro: 0.3 });
      }
    } else {
      const ag = r.pick(w.agencies);
      const clients = w.factories.filter((f) => f.town.region === ag.town.region);
      const client = r.pick(clients.length ? clients : w.factories);
      const n = r.int(5, 20);
      const d0 = r.int(0, SPAN_DAYS - 5);
      const span = r.int(1, 4);
      const pcs = ag.devices.slice(r.int(0, ag.devices.length - 1)).slice(0, r.int(1, 2));
      for (let i = 0; i < n && legitCount < legitTarget; i++) {
        const p = w.person(ag.town, {
          address: r.chance(0.75) ? ag.dorm : undefined, employer: r.chance(0.7) ? client.name : ag.name,
          bank: w.bank(client.bank), housing: 'for_free', maxAge: 45, email: r.chance(0.5) ? w.email() : undefined,
          phone: r.chance(0.12) ? ag.clerkPhone : undefined, device: r.chance(0.85) ? r.pick(pcs) : w.device(),
        });
        client.workers.push(p);
        emit(p, kind, d0 + r.next() * span, 9 + r.next() * 8, r.chance(0.85) ? ag.ip : w.mobileIp(ag.town), { branch: false, foreign: 0.6, micro: 0.55 });
      }
    }
  }

  // fraud rings
  const plan: Shape[] = [];
  let planned = 0;
  const sizes: number[] = [];
  for (let k = 0; planned < ringTarget; k++) {
    const shape: Shape = k < 8 ? (SHAPES[(k + (options.seed & 3)) % 4] as Shape) : r.pick(SHAPES);
    const [lo, hi] = RING_SIZE[shape];
    const rest = ringTarget - planned;
    if (rest < 4) { const last = sizes.length - 1; if (last >= 0 && (sizes[last] as number) + rest <= 30) sizes[last] = (sizes[last] as number) + rest; break; }
    let n = Math.min(r.int(lo, hi), rest);
    const left = rest - n;
    if (left > 0 && left < 4) n = n + left <= 30 ? rest : n - (4 - left);
    plan.push(shape); sizes.push(n); planned += n;
  }
  plan.forEach((shape, k) => {
    const id = `IZR-${String(k + 1).padStart(3, '0')}`;
    const n = sizes[k] as number;
    const town = r.pick(TOWNS);
    const regionFactories = w.factories.filter((f) => f.town.region === town.region);
    const hub = r.pick(regionFactories.length ? regionFactories : w.factories);
    const add = (p: Person, day: number, hour: number, c: Canon, micro: number, big = false, tilt: { hasTelephone?: boolean; foreign?: number } = {}) => {
      drafts.push({ canon: c, at: at(day, hour), ring: id, kind: shape, region: p.town.region, applicant: applicant(r, p, tilt), ...loan(r, micro, big) });
    };
    const d0 = r.int(2, SPAN_DAYS - 40);
    if (shape === 'device-farm') {
      const devices = Array.from({ length: r.int(1, 3) }, () => w.device());
      const ips = Array.from({ length: r.int(1, 3) }, () => w.homeIp());
      const sims = Array.from({ length: Math.max(2, Math.ceil(n / r.int(2, 4))) }, () => w.mobile());
      const mules = Array.from({ length: r.int(2, 4) }, () => w.bank());
      const rooms = [w.rented(town), w.rented(town)];
      const waves = r.chance(0.5) ? [d0, d0 + r.int(5, 30)] : [d0];
      for (let i = 0; i < n; i++) {
        const f = r.chance(0.8) ? r.pick(w.factories) : hub;
        const p = w.person(f.town, { minAge: 20, maxAge: 38, phone: r.pick(sims), bank: r.pick(mules), address: r.chance(0.55) ? r.pick(f.blocks).address : r.pick(rooms), employer: r.chance(0.85) ? f.name : undefined, housing: 'for_free', email: r.chance(0.9) ? w.email() : undefined });
        const c = canonOf(p, r.chance(0.35) ? w.mobileIp(p.town) : r.pick(ips), false);
        if (r.chance(0.9)) c.deviceId = r.pick(devices); else delete c.deviceId;
        const wave = r.pick(waves);
        add(p, wave + r.next() * r.int(1, 3), (20 + r.next() * 7) % 24, c, 0.8, false, { foreign: 0.5 });
      }
    } else if (shape === 'payroll-mule') {
      const broker = w.person(hub.town, { employer: hub.name });
      const mules = [broker.bank, ...Array.from({ length: r.int(0, 2) }, () => w.bank())];
      const block = r.pick(hub.blocks);
      const span = r.int(14, 42);
      for (let i = 0; i < n; i++) {
        const p = i === 0 ? broker : w.person(hub.town, { employer: hub.name, address: r.chance(0.7) ? block.address : undefined, housing: 'for_free', maxAge: 45, bank: r.chance(0.75) ? r.pick(mules) : w.bank(hub.bank) });
        const c = canonOf(p, r.chance(0.5) ? block.ip : w.mobileIp(hub.town), r.chance(0.08));
        if (i > 0 && r.chance(0.3)) c.phone = broker.phone;
        if (i > 0 && r.chance(0.3) && c.deviceId) c.deviceId = broker.device;
        add(p, d0 + r.next() * span, hourOf(r), c, 0.3, r.chance(0.5), { foreign: 0.6 });
      }
    } else if (shape === 'ghost-employer') {
      const shell = `${town.name} ${r.pick(BRANDS)} ${r.pick(['Labour Services', 'Engineering Subcontracting', 'Industrial Services'])} Co., Ltd.`;
      const office = `Room ${r.int(3, 15)}0${r.int(1, 9)}, ${r.int(1, 300)} ${r.pick(town.roads)}, ${town.district}, ${town.name}`;
      const officeLine = w.landline(town);
      const officeIp = w.homeIp();
      const devices = Array.from({ length: r.int(2, 4) }, () => w.device());
      const shared = w.bank();
      const span = r.int(7, 28);
      for (let i = 0; i < n; i++) {
        const p = w.person(town, { employer: shell, address: r.chance(0.5) ? office : undefined, job: r.pick(['skilled_employee', 'management_self_emp_highly_qualified']), employment: r.pick(['4_to_7', 'gt_7', '1_to_4']), bank: r.chance(0.3) ? shared : undefined, phone: r.chance(0.35) ? officeLine : undefined });
        const c = canonOf(p, r.chance(0.6) ? officeIp : w.mobileIp(town), r.chance(0.1));
        if (c.deviceId && r.chance(0.6)) c.deviceId = r.pick(devices);
        add(p, d0 + r.next() * span, 9 + r.next() * 9, c, 0.15, true, { hasTelephone: r.chance(0.6), foreign: 0.3 });
      }
    } else {
      const victims = hub.workers.filter((v) => !v.employer || v.employer === hub.name);
      const sims = Array.from({ length: r.int(1, 3) }, () => w.mobile());
      const devices = Array.from({ length: r.int(1, 2) }, () => w.device());
      const proxies = Array.from({ length: r.int(1, 2) }, () => w.proxyIp());
      const mules = Array.from({ length: r.int(1, 3) }, () => w.bank());
      const taken = new Set<Person>();
      const span = r.int(1, 5);
      for (let i = 0; i < n; i++) {
        let v: Person | undefined;
        for (let t = 0; t < 5 && victims.length; t++) { const c = r.pick(victims); if (!taken.has(c)) { v = c; break; } }
        if (v) taken.add(v);
        const base = v ?? w.person(hub.town, { employer: hub.name, address: r.pick(hub.blocks).address });
        const p: Person = { ...base, phone: r.pick(sims), email: w.email(), device: r.pick(devices), bank: r.pick(mules) };
        const c = canonOf(p, r.chance(0.75) ? r.pick(proxies) : w.mobileIp(hub.town), false);
        add(p, d0 + r.next() * span, hourOf(r), c, 0.75, false, { foreign: 0.5 });
      }
    }
  });

  drafts.forEach((d, i) => { d.at += i % 997; }); // break exact ties deterministically
  drafts.sort((a, b) => a.at - b.at);
  const members: PopulationMember[] = drafts.map((d, i) => {
    const day = new Date(d.at + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
    const application: Application = {
      applicationId: `IZ${day}-${String(i + 1).padStart(6, '0')}`, product: d.product, region: d.region,
      amount: d.amount, termMonths: d.termMonths, applicant: d.applicant, identifiers: render(r, d.canon),
    };
    return { application, submittedAt: d.at, ring: d.ring, kind: d.kind };
  });
  return { generator: NAME, seed: options.seed, members };
}

export const generator: PopulationGenerator = {
  name: NAME,
  ringShapes: SHAPES,
  legitimateStructures: LEGIT,
  generate,
};
