// Synthetic population "campus": a university-town loan portfolio over 180 days (25 Aug 2025 –
// 20 Feb 2026, UTC+8) with term-start and exam-season bursts. Legitimate people share identifiers
// the way students and staff really do (campus address and wifi, parents' phones, club treasurer
// accounts, host-family landlines, staff homes); rings share them the way campus fraud runs
// (mule recruiters' laptops and accounts, rented national ids, group-buy dorm rooms).
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { Population, PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------- parameters
/** Share of applicants drawn as poor credit risks (legitimate and ring alike). */
const WEAK_SHARE = 0.24;
/** Ring members are a little weaker on average, but drawn from the same profiles. */
const RING_WEAK_SHARE = 0.3;
const RING_SHARE_RANGE: readonly [number, number] = [0.038, 0.052];
const DAY = 86_400_000;
/** 25 Aug 2025 00:00 in UTC+8. */
const START = Date.UTC(2025, 7, 24, 16, 0, 0);
const SPAN_DAYS = 180;

const LEGIT_WEIGHTS: readonly [Legit, number][] = [
  ['single', 0.29],
  ['student', 0.44],
  ['student-club', 0.09],
  ['host-family', 0.06],
  ['staff-household', 0.12],
];
type Legit = 'single' | 'student' | 'student-club' | 'host-family' | 'staff-household';
type Shape = 'campus-mules' | 'identity-rental' | 'group-buy-scam';
const SHAPE_SIZES: Record<Shape, readonly [number, number]> = {
  'campus-mules': [6, 18],
  'identity-rental': [4, 12],
  'group-buy-scam': [5, 12],
};
const SHAPES: readonly Shape[] = ['campus-mules', 'identity-rental', 'group-buy-scam'];

// ---------------------------------------------------------------- PRNG
class R {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88 ^ (seed | 0);
    this.c = 0xb7e15162;
    this.d = (seed * 0x85ebca6b) | 0;
    for (let i = 0; i < 16; i++) this.next();
  }
  /** sfc32 */
  next(): number {
    this.a |= 0; this.b |= 0; this.c |= 0; this.d |= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.next() * xs.length)];
    if (x === undefined) throw new Error('pick from empty list');
    return x;
  }
  w<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, wt] of pairs) total += wt;
    let u = this.next() * total;
    for (const [v, wt] of pairs) {
      u -= wt;
      if (u < 0) return v;
    }
    const last = pairs[pairs.length - 1];
    if (!last) throw new Error('empty weights');
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
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)] ?? '0';
    return s;
  }
}

// ---------------------------------------------------------------- calendar
const STUDENT_HOURS = [3, 2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4, 5, 5, 4, 4, 4, 4, 5, 6, 7, 8, 8, 6];
const TOWN_HOURS = [0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.5, 3, 5, 6, 6, 5, 5, 5, 5, 5, 5, 5, 6, 6, 5, 3, 1.5];

function dayWeights(student: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < SPAN_DAYS; d++) {
    const dow = d % 7; // 0 = Monday
    let w = dow >= 5 ? (student ? 0.9 : 0.75) : 1;
    if (student) {
      if (d >= 3 && d <= 21) w *= 2.6; // autumn term start, freshers
      else if (d >= 70 && d <= 81) w *= 1.3; // mid-terms
      else if (d >= 126 && d <= 146) w *= 2.2; // exam season
      else if (d >= 147 && d <= 174) w *= 0.5; // winter break
      else if (d >= 175) w *= 2.4; // spring term start
    } else {
      if (d >= 3 && d <= 21) w *= 1.25; // town rents to students, back-to-school spending
      if (d >= 118 && d <= 128) w *= 1.3; // year-end spending
      if (d >= 150 && d <= 170) w *= 1.15; // new-year spending
    }
    out.push(w);
  }
  return out;
}

class Sampler {
  private readonly cum: number[] = [];
  private readonly total: number;
  constructor(weights: readonly number[]) {
    let t = 0;
    for (const w of weights) this.cum.push((t += w));
    this.total = t;
  }
  draw(r: R): number {
    const u = r.next() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cum[mid] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
const STUDENT_DAYS = new Sampler(dayWeights(true));
const TOWN_DAYS = new Sampler(dayWeights(false));
const STUDENT_HOUR = new Sampler(STUDENT_HOURS);
const TOWN_HOUR = new Sampler(TOWN_HOURS);

function at(r: R, day: number, hour: number): number {
  const d = Math.max(0, Math.min(SPAN_DAYS - 1, day));
  return START + d * DAY + hour * 3_600_000 + r.int(0, 59) * 60_000 + r.int(0, 59) * 1000;
}
const timeOf = (r: R, student: boolean): number =>
  at(r, (student ? STUDENT_DAYS : TOWN_DAYS).draw(r), (student ? STUDENT_HOUR : TOWN_HOUR).draw(r));

// ---------------------------------------------------------------- identifiers (canonical + rendering)
interface Phone {
  readonly cc: string;
  readonly nat: string; // national significant number (no trunk 0)
  readonly landline: boolean;
}
interface Canon {
  nationalId?: string;
  phone?: Phone;
  deviceId?: string;
  ip?: string;
  email?: string;
  address?: readonly string[];
  bankAccount?: string;
  employer?: string;
}

const TOWN = 'Lakeshore';
const UNIVERSITY = 'Lakeshore University';
const CAMPUS_ADDRESS = [UNIVERSITY, '88 College Road', TOWN];
const TOWN_AREA = '571';
const DORMS = ['Xiyuan Dormitory', 'Dongyuan Dormitory', 'Nanyuan Dormitory', 'Beiyuan Dormitory', 'Graduate Apartments', 'Taoli Hall'];
const STREETS = ['Wenhua Road', 'Hubin Road', 'Yan\'an Road', 'Qingchun Road', 'Jiefang Road', 'Fengqi Road', 'Tianmu Road', 'Moganshan Road', 'Shixiang Road', 'Gudun Road', 'Jiaogong Road', 'Xueyuan Road', 'Huancheng North Road', 'Zhongshan Road'];
const COMPOUNDS = ['Lakeview Garden', 'Xixi Residence', 'Osmanthus Court', 'Cuiyuan Community', 'Huajia Village', 'Greentown Lily', 'Maple Park', 'Riverside Homes', 'Peach Blossom Court', 'Wenxin Estate', 'Zijin Garden', 'Sunshine Apartments'];
const HOMETOWNS = ['Wenzhou', 'Ningbo', 'Jinhua', 'Hefei', 'Nanchang', 'Fuzhou', 'Suzhou', 'Shaoxing', 'Taizhou', 'Chengdu', 'Zhengzhou', 'Changsha', 'Guiyang', 'Xi\'an', 'Jinan'];
const REGION_CODES = ['330106', '330102', '330205', '330302', '330702', '340104', '360102', '350102', '320506', '330602', '510107', '410105', '430104', '520102', '610113', '370102', '110105', '440304'];
const SURNAMES = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'lin', 'luo', 'gao', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng', 'zeng', 'xiao', 'tian', 'dong', 'pan', 'yuan', 'cai', 'jiang', 'yu', 'du'];
const GIVEN = ['wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'tao', 'ming', 'chao', 'xiu', 'xia', 'ping', 'gang', 'hui', 'yu', 'hao', 'yi', 'xin', 'jia', 'rui', 'zihan', 'yuxuan', 'haoran', 'zimo', 'xinyi', 'siyu', 'yutong', 'kexin', 'mengqi', 'junjie', 'zixuan', 'bowen', 'tianyu'];
const FOREIGN_NAMES = ['kim', 'park', 'lee', 'nguyen', 'tran', 'sato', 'suzuki', 'smith', 'mueller', 'dubois', 'khan', 'ali', 'ivanova', 'santos', 'garcia', 'rossi', 'jensen', 'okafor', 'mensah', 'siddiqui'];
const FOREIGN: readonly { cc: string; len: number; lead: string; passport: string }[] = [
  { cc: '82', len: 10, lead: '10', passport: 'M' },
  { cc: '84', len: 9, lead: '9', passport: 'C' },
  { cc: '81', len: 10, lead: '90', passport: 'TK' },
  { cc: '1', len: 10, lead: '', passport: '5' },
  { cc: '49', len: 11, lead: '15', passport: 'C' },
  { cc: '33', len: 9, lead: '6', passport: '19' },
  { cc: '92', len: 10, lead: '3', passport: 'AB' },
  { cc: '234', len: 10, lead: '80', passport: 'A' },
  { cc: '7', len: 10, lead: '9', passport: '75' },
  { cc: '62', len: 10, lead: '81', passport: 'B' },
];
const MAIL_DOMAINS: readonly [string, number][] = [['qq.com', 5], ['163.com', 3], ['126.com', 1.5], ['gmail.com', 1], ['outlook.com', 1], ['sina.com', 0.5], ['foxmail.com', 0.7]];
const TOWN_EMPLOYERS = [
  'Lakeshore University Hospital', 'Lakeshore No. 2 Middle School', 'Lakeshore Municipal Water Company', 'West Lake Bank Lakeshore Branch',
  'Hengda Electronics Co Ltd', 'Lakeshore Textile Group', 'Greentown Property Services', 'Xinhua Bookstore', 'Lakeshore Public Transport Company',
  'China Mobile Lakeshore', 'Zhongce Rubber Co Ltd', 'Lakeshore People\'s Hospital', 'Hualian Supermarket', 'Lakeshore Tax Bureau',
  'Tianmu Logistics Co Ltd', 'Lakeshore Vocational College', 'Jinjiang Hotel Lakeshore', 'Haier Service Center', 'Huadong Pharmaceutical',
  'Lakeshore Construction Engineering Co', 'Alpha Software Studio', 'Lakeshore Education Bureau', 'SF Express Lakeshore', 'Meituan Delivery Station',
];
const CAMPUS_JOBS = ['Lakeshore University Canteen', 'Lakeshore University Library', 'Campus Express Courier', 'Lakeshore University Sports Centre', 'New Oriental Tutoring', 'Luckin Coffee Campus Store', 'KFC College Road'];

function nidCheck(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(body[i]) * (weights[i] ?? 0);
  return '10X98765432'[s % 11] ?? '0';
}

/** Generates unique raw values for one population. */
class Ids {
  private readonly used = new Set<string>();
  constructor(private readonly r: R) {}
  private uniq(kind: string, make: () => string): string {
    for (;;) {
      const v = make();
      if (!this.used.has(kind + v)) {
        this.used.add(kind + v);
        return v;
      }
    }
  }
  nid(age: number, male: boolean, region?: string): string {
    const r = this.r;
    return this.uniq('n', () => {
      const year = 2025 - age - (r.chance(0.6) ? 1 : 0);
      const month = String(r.int(1, 12)).padStart(2, '0');
      const day = String(r.int(1, 28)).padStart(2, '0');
      const seq = r.int(0, 99) * 10 + (r.int(0, 4) * 2 + (male ? 1 : 0));
      const body = `${region ?? r.pick(REGION_CODES)}${year}${month}${day}${String(seq).padStart(3, '0')}`;
      return body + nidCheck(body);
    });
  }
  passport(f: (typeof FOREIGN)[number]): string {
    return this.uniq('n', () => f.passport + this.r.digits(9 - f.passport.length));
  }
  mobile(): Phone {
    const r = this.r;
    return { cc: '86', nat: this.uniq('p', () => r.pick(['13', '15', '18', '17', '19']) + r.digits(9)), landline: false };
  }
  landline(): Phone {
    return { cc: '86', nat: this.uniq('p', () => TOWN_AREA + '8' + this.r.digits(7)), landline: true };
  }
  foreignMobile(f: (typeof FOREIGN)[number]): Phone {
    return { cc: f.cc, nat: this.uniq('p', () => f.lead + this.r.digits(f.len - f.lead.length)), landline: false };
  }
  device(): string {
    const r = this.r;
    return this.uniq('d', () =>
      r.chance(0.55) ? `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}` : r.hex(16),
    );
  }
  bank(): string {
    const r = this.r;
    return this.uniq('b', () => r.pick(['6222', '6217', '6228', '6214', '6226', '6230']) + r.digits(15));
  }
  homeIp(): string {
    const r = this.r;
    return this.uniq('i', () => `${r.pick(['183', '115', '60', '122', '36'])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`);
  }
  email(first: string, last: string, age: number, domain?: string): string {
    const r = this.r;
    const yy = String((2025 - age) % 100).padStart(2, '0');
    return this.uniq('e', () => {
      const d = domain ?? r.w(MAIL_DOMAINS);
      if (d === 'qq.com' && r.chance(0.6)) return `${r.int(1, 9)}${r.digits(r.int(7, 9))}@qq.com`;
      const local = r.w<string>([
        [`${first}${last}`, 2], [`${first}.${last}`, 2], [`${last}${first}${yy}`, 2], [`${first}_${last}${r.int(1, 999)}`, 1], [`${first[0] ?? 'x'}${last}${r.digits(3)}`, 1.5],
      ]);
      return `${local}${r.chance(0.3) ? r.int(1, 99) : ''}@${d}`;
    });
  }
  studentNo(): string {
    return this.uniq('s', () => `202${this.r.int(1, 5)}${this.r.digits(6)}`);
  }
  address(): string[] {
    const r = this.r;
    const key = this.uniq('a', () => `${r.int(0, COMPOUNDS.length - 1)}/${r.int(1, 40)}/${r.int(1, 6)}/${r.int(1, 24)}0${r.int(1, 4)}`);
    const [c = '0', bld = '1', unit = '1', room = '101'] = key.split('/');
    const compound = COMPOUNDS[Number(c)] ?? 'Maple Park';
    const street = `${(Number(c) * 37) % 399 + 1} ${STREETS[Number(c) % STREETS.length] ?? 'Wenhua Road'}`;
    return [`Room ${room}`, `Unit ${unit}`, `Building ${bld}`, compound, street, TOWN];
  }
}

function renderPhone(r: R, p: Phone): string {
  const n = p.nat;
  if (p.cc !== '86') {
    const a = n.slice(0, 2);
    const b = n.slice(2, 6);
    const c = n.slice(6);
    return r.w<string>([
      [`+${p.cc} ${a} ${b} ${c}`, 3], [`+${p.cc}${n}`, 2], [`00${p.cc} ${n}`, 1], [`+${p.cc}-${a}-${b}-${c}`, 1], [`+${p.cc} ${n}`, 2],
    ]);
  }
  if (p.landline) {
    const area = n.slice(0, 3);
    const num = n.slice(3);
    return r.w<string>([
      [`0${area}-${num}`, 3], [`0${area} ${num.slice(0, 4)} ${num.slice(4)}`, 2], [`(0${area}) ${num}`, 1.5], [`+86 ${area} ${num.slice(0, 4)} ${num.slice(4)}`, 1],
      [`0086-${area}-${num}`, 0.5], [`0${area}${num}`, 1],
    ]);
  }
  const a = n.slice(0, 3);
  const b = n.slice(3, 7);
  const c = n.slice(7);
  return r.w<string>([
    [n, 8], [`${a} ${b} ${c}`, 3], [`${a}-${b}-${c}`, 2], [`+86 ${a} ${b} ${c}`, 3], [`+86${n}`, 2], [`0086 ${n}`, 1], [`86-${a}-${b}-${c}`, 0.7], [` ${n} `, 0.3],
  ]);
}

function renderCase(r: R, s: string): string {
  return r.w<string>([[s, 14], [s.toLowerCase(), 3], [s.toUpperCase(), 1]]);
}

function renderAddress(r: R, parts: readonly string[]): string {
  const shown = parts.map((p) => (p.startsWith('Room ') && r.chance(0.15) ? `Room #${p.slice(5)}` : p));
  const sep = r.w<string>([[', ', 10], [' ', 3], [',', 2], ['; ', 0.3]]);
  let s = shown.join(sep);
  if (r.chance(0.06)) s = s.replace(' ', '  ');
  if (r.chance(0.05)) s += '.';
  return renderCase(r, s);
}

function render(r: R, c: Canon): RawIdentifiers {
  const out: RawIdentifiers = {};
  if (c.nationalId !== undefined) {
    const id = c.nationalId;
    out.nationalId =
      id.length === 18
        ? r.w<string>([[id, 12], [id.toLowerCase(), 1], [`${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`, 2], [`${id.slice(0, 6)}-${id.slice(6, 14)}-${id.slice(14)}`, 0.6], [` ${id}`, 0.3]])
        : r.w<string>([[id, 8], [id.toLowerCase(), 1], [`${id.slice(0, 1)} ${id.slice(1)}`, 1]]);
  }
  if (c.phone) out.phone = renderPhone(r, c.phone);
  if (c.deviceId !== undefined) out.deviceId = r.w<string>([[c.deviceId, 10], [c.deviceId.toUpperCase(), 2], [` ${c.deviceId}`, 0.2]]);
  if (c.ip !== undefined) {
    const ip = c.ip;
    out.ip = r.w<string>([[ip, 20], [`::ffff:${ip}`, 2], [ip.split('.').map((o) => o.padStart(3, '0')).join('.'), 0.6], [`${ip} `, 0.3]]);
  }
  if (c.email !== undefined) {
    const e = c.email;
    out.email = r.w<string>([[e, 14], [e.charAt(0).toUpperCase() + e.slice(1), 2], [e.toUpperCase(), 0.4], [` ${e}`, 0.3]]);
  }
  if (c.address) out.address = renderAddress(r, c.address);
  if (c.bankAccount !== undefined) {
    const b = c.bankAccount;
    const groups = b.match(/.{1,4}/g) ?? [b];
    out.bankAccount = r.w<string>([[b, 6], [groups.join(' '), 4], [groups.join('-'), 0.8]]);
  }
  if (c.employer !== undefined) {
    const e = c.employer;
    out.employer = r.w<string>([[e, 12], [e.toUpperCase(), 1], [e.toLowerCase(), 1.5], [`${e} `, 0.4], [e.replace('Lakeshore ', 'Lakeshore, '), 0.4]]);
  }
  return out;
}

// ---------------------------------------------------------------- credit profiles
type Persona = 'student' | 'intl' | 'staff' | 'town' | 'host';

interface Person {
  age: number;
  male: boolean;
  married: boolean;
  persona: Persona;
  weak: boolean;
  first: string;
  last: string;
  c: Canon;
}

function applicant(r: R, p: Person, o: { fresher?: boolean; foreign?: boolean; ownHome?: boolean; coached?: boolean } = {}): Applicant {
  const weak = p.weak;
  const s = p.persona === 'student' || p.persona === 'intl';
  const staffish = p.persona === 'staff' || p.persona === 'host';
  const checkingAccountStatus = weak
    ? r.w<string>([['lt_0', 0.5], ['0_to_200', 0.32], ['none', 0.13], ['gt_200', 0.05]])
    : r.w<string>([['none', 0.38], ['0_to_200', 0.3], ['gt_200', s ? 0.08 : 0.16], ['lt_0', 0.14]]);
  const creditHistory = weak
    ? r.w<string>([['delay', 0.22], ['no_credit_all_paid', 0.22], ['this_bank_all_paid', 0.16], ['paid_duly', 0.34], ['critical', 0.06]])
    : s
      ? r.w<string>([['paid_duly', 0.62], ['no_credit_all_paid', 0.08], ['this_bank_all_paid', 0.08], ['critical', 0.12], ['delay', 0.1]])
      : r.w<string>([['paid_duly', 0.52], ['critical', 0.28], ['delay', 0.09], ['this_bank_all_paid', 0.05], ['no_credit_all_paid', 0.04]]);
  const purpose = s
    ? r.w<string>([['education', 0.25], ['radio_television', 0.25], ['furniture_equipment', 0.12], ['retraining', 0.06], ['other', 0.08], ['used_car', 0.08], ['domestic_appliance', 0.06], ['repairs', 0.04], ['business', 0.06]])
    : r.w<string>([['radio_television', 0.2], ['new_car', 0.18], ['furniture_equipment', 0.17], ['used_car', 0.1], ['business', staffish ? 0.05 : 0.12], ['education', 0.06], ['repairs', 0.05], ['domestic_appliance', 0.03], ['retraining', 0.02], ['other', 0.02]]);
  const savingsAccountBonds = weak
    ? r.w<string>([['lt_100', 0.72], ['100_to_500', 0.12], ['unknown', 0.12], ['500_to_1000', 0.04]])
    : r.w<string>([['lt_100', s ? 0.55 : 0.42], ['100_to_500', 0.14], ['500_to_1000', 0.08], ['gt_1000', s ? 0.04 : 0.1], ['unknown', 0.22]]);
  let employmentDuration: string;
  if (s) employmentDuration = o.coached ? r.w<string>([['1_to_4', 0.5], ['lt_1', 0.35], ['unemployed', 0.15]]) : r.w<string>([['unemployed', weak ? 0.35 : 0.22], ['lt_1', 0.45], ['1_to_4', weak ? 0.2 : 0.3], ['4_to_7', 0.03]]);
  else if (staffish) employmentDuration = r.w<string>([['1_to_4', 0.22], ['4_to_7', 0.24], ['gt_7', p.age > 35 ? 0.5 : 0.15], ['lt_1', weak ? 0.12 : 0.04]]);
  else employmentDuration = r.w<string>([['1_to_4', 0.34], ['4_to_7', 0.18], ['gt_7', p.age > 35 ? 0.28 : 0.08], ['lt_1', weak ? 0.24 : 0.14], ['unemployed', weak ? 0.12 : 0.05]]);
  const personalStatusSex = !p.male ? 'female_not_single' : p.married ? (r.chance(0.1) ? 'male_divorced_seperated' : 'male_married_widowed') : r.chance(p.age > 35 ? 0.2 : 0.03) ? 'male_divorced_seperated' : 'male_single';
  const otherDebtorsGuarantors = r.w<string>([['none', 0.89], ['guarantor', s ? 0.08 : 0.05], ['co_applicant', s ? 0.03 : 0.06]]);
  const property = s
    ? r.w<string>([['unknown', 0.3], ['insurance', 0.3], ['car_other', 0.34], ['real_estate', 0.06]])
    : r.w<string>([['real_estate', staffish ? 0.42 : 0.26], ['insurance', 0.24], ['car_other', 0.32], ['unknown', weak ? 0.22 : 0.1]]);
  const otherInstallmentPlans = r.w<string>([['none', weak ? 0.68 : 0.84], ['bank', weak ? 0.2 : 0.11], ['stores', weak ? 0.12 : 0.05]]);
  const housing = o.ownHome
    ? r.w<string>([['own', 0.85], ['for_free', 0.1], ['rent', 0.05]])
    : s
      ? r.w<string>([['for_free', 0.5], ['rent', 0.47], ['own', 0.03]])
      : r.w<string>([['own', 0.55], ['rent', 0.36], ['for_free', 0.09]]);
  const job = s
    ? r.w<string>([['unskilled_resident', 0.45], ['unemployed_unskilled', weak ? 0.35 : 0.22], ['skilled_employee', 0.3], ['management_self_emp_highly_qualified', 0.03]])
    : staffish
      ? r.w<string>([['skilled_employee', 0.55], ['management_self_emp_highly_qualified', 0.33], ['unskilled_resident', 0.12]])
      : r.w<string>([['skilled_employee', 0.6], ['unskilled_resident', 0.2], ['management_self_emp_highly_qualified', 0.14], ['unemployed_unskilled', weak ? 0.1 : 0.03]]);
  const installmentRatePct = weak ? r.w<number>([[1, 0.08], [2, 0.17], [3, 0.2], [4, 0.55]]) : r.w<number>([[1, 0.15], [2, 0.25], [3, 0.17], [4, 0.43]]);
  const residenceYears = o.fresher ? 1 : s ? r.w<number>([[1, 0.35], [2, 0.35], [3, 0.2], [4, 0.1]]) : r.w<number>([[1, 0.13], [2, 0.3], [3, 0.15], [4, 0.42]]);
  const existingCredits = weak ? r.w<number>([[1, 0.5], [2, 0.38], [3, 0.1], [4, 0.02]]) : r.w<number>([[1, s ? 0.78 : 0.62], [2, s ? 0.2 : 0.33], [3, 0.03], [4, 0.005]]);
  const dependents = s ? (r.chance(0.04) ? 2 : 1) : r.chance(p.married ? 0.28 : 0.08) ? 2 : 1;
  return {
    age: p.age, checkingAccountStatus, creditHistory, purpose, savingsAccountBonds, employmentDuration, personalStatusSex,
    otherDebtorsGuarantors, property, otherInstallmentPlans, housing, job, installmentRatePct, residenceYears, existingCredits, dependents,
    hasTelephone: p.c.phone?.landline === true || (!s && r.chance(0.35)),
    foreignWorker: o.foreign ?? (p.persona === 'intl' || (p.persona === 'town' && r.chance(0.05))),
  };
}

function loan(r: R, p: Person, o: { micro?: number; bigger?: boolean } = {}): { product: string; amount: number; termMonths: number } {
  const s = p.persona === 'student' || p.persona === 'intl';
  const pMicro = o.micro ?? (s ? (p.age < 21 ? 0.9 : 0.7) : 0.3);
  const maxYears = Math.max(1, 75 - p.age);
  if (r.chance(pMicro)) {
    let amount = Math.exp(Math.log(o.bigger ? 1800 : 1000) + 0.6 * r.normal());
    amount = r.chance(0.003) ? r.int(31, 45) * 100 : Math.min(3000, Math.max(100, Math.round(amount / 50) * 50));
    const termMonths = r.w<number>([[3, 2], [6, 4], [9, 1], [12, 5], [18, 1.5], [24, 2]]);
    return { product: 'micro_loan', amount, termMonths };
  }
  let amount = Math.exp(Math.log(o.bigger ? 6500 : s ? 3500 : 5500) + 0.75 * r.normal());
  amount = r.chance(0.003) ? r.int(21, 35) * 1000 : Math.min(20000, Math.max(500, Math.round(amount / 100) * 100));
  let termMonths = amount > 8000 ? r.pick([24, 36, 36, 48, 60, 72]) : r.pick([6, 12, 12, 18, 24, 24, 36]);
  while (termMonths > 6 && termMonths / 12 > maxYears) termMonths -= 6;
  return { product: 'personal_loan', amount, termMonths };
}

// ---------------------------------------------------------------- population
interface Draft {
  t: number;
  seq: number;
  app: Omit<Application, 'applicationId'>;
  ring: string | null;
  kind: string;
}

class Builder {
  readonly drafts: Draft[] = [];
  readonly ids: Ids;
  readonly campusIps: string[];
  readonly mobileIps: string[];
  readonly kiosks: string[];
  private seq = 0;
  constructor(readonly r: R, size: number) {
    this.ids = new Ids(r);
    this.campusIps = Array.from({ length: 8 }, (_, i) => `202.120.45.${10 + i}`);
    const nMobile = Math.max(150, Math.round(size / 15));
    this.mobileIps = Array.from({ length: nMobile }, () => `${r.pick(['117.136', '223.104', '112.17', '39.144'])}.${r.int(0, 255)}.${r.int(1, 254)}`);
    this.kiosks = Array.from({ length: 5 }, () => this.ids.device());
  }

  region(): string {
    return this.r.w<string>([['east', 0.72], ['north', 0.1], ['south', 0.1], ['west', 0.08]]);
  }

  add(t: number, p: Person, c: Canon, kind: string, ring: string | null, o: { fresher?: boolean; micro?: number; bigger?: boolean; coached?: boolean; applicantOverride?: Partial<Applicant> } = {}): void {
    const r = this.r;
    const applicant0 = applicant(r, p, { fresher: o.fresher, coached: o.coached, ownHome: p.persona === 'staff' || p.persona === 'host' });
    const a = { ...applicant0, ...o.applicantOverride };
    const identifiers = render(r, c);
    this.drafts.push({ t, seq: this.seq++, app: { ...loan(r, p, o), region: ring ? 'east' : this.region(), applicant: a, identifiers }, ring, kind });
  }

  person(persona: Persona, age: number, weak: boolean, foreign?: (typeof FOREIGN)[number]): Person {
    const r = this.r;
    const male = r.chance(persona === 'staff' ? 0.5 : 0.52);
    const married = persona === 'student' || persona === 'intl' ? r.chance(0.02) : r.chance(age < 28 ? 0.3 : 0.72);
    const first = r.pick(foreign ? GIVEN.slice(0, 12).concat(['min', 'anh', 'yuki', 'john', 'anna', 'omar', 'marie', 'ivan']) : GIVEN);
    const last = foreign ? r.pick(FOREIGN_NAMES) : r.pick(SURNAMES);
    const c: Canon = {
      nationalId: foreign ? this.ids.passport(foreign) : this.ids.nid(age, male),
      phone: foreign && r.chance(0.5) ? this.ids.foreignMobile(foreign) : this.ids.mobile(),
      deviceId: this.ids.device(),
      email: this.ids.email(first, last, age),
      bankAccount: this.ids.bank(),
    };
    return { age, male, married, persona, weak, first, last, c };
  }

  studentAge(): number {
    return this.r.w<number>([[18, 0.14], [19, 0.2], [20, 0.2], [21, 0.18], [22, 0.12], [23, 0.07], [24, 0.05], [25, 0.02], [26, 0.01], [27, 0.01]]);
  }

  /** A student's own canonical identifiers as they would give them on an online application. */
  student(weak: boolean): { p: Person; dorm: string[] } {
    const r = this.r;
    const p = this.person('student', this.studentAge(), weak);
    if (r.chance(0.35)) p.c.email = `${this.ids.studentNo()}@stu.lakeshore.edu.cn`;
    const dorm = [`Room ${r.int(1, 6)}${String(r.int(1, 30)).padStart(2, '0')}`, `Building ${r.int(1, 14)}`, r.pick(DORMS)].concat(CAMPUS_ADDRESS);
    const where = r.w<string>([['dorm', 0.5], ['campus', 0.35], ['home', 0.15]]);
    p.c.address = where === 'dorm' ? dorm : where === 'campus' ? CAMPUS_ADDRESS : [`${r.int(1, 300)} ${r.pick(STREETS)}`, r.pick(HOMETOWNS)];
    p.c.employer = r.chance(0.22) ? r.pick(CAMPUS_JOBS) : undefined;
    return { p, dorm };
  }

  /** The identifiers of one online session: device and network of the moment. */
  session(p: Person, campus: boolean): Canon {
    const r = this.r;
    const c: Canon = { ...p.c };
    if (campus && r.chance(0.05)) c.deviceId = r.pick(this.kiosks); // library kiosk
    c.ip = campus && r.chance(0.72) ? r.pick(this.campusIps) : r.pick(this.mobileIps);
    return c;
  }

  strip(c: Canon, o: { employer?: number; email?: number; bank?: number } = {}): Canon {
    const r = this.r;
    const out = { ...c };
    if (o.employer !== undefined && r.chance(o.employer)) delete out.employer;
    if (r.chance(o.email ?? 0.04)) delete out.email;
    if (r.chance(o.bank ?? 0.06)) delete out.bankAccount;
    if (out.employer === undefined) delete out.employer;
    return out;
  }

  /** Some people apply a second time (declined and retrying, or a second small loan). */
  times(student: boolean, n = 1): number[] {
    const r = this.r;
    const t = timeOf(r, student);
    const out = [t];
    if (r.chance(0.06 * n)) out.push(Math.min(START + SPAN_DAYS * DAY - 60_000, t + r.int(1, 2880) * 60_000 * (r.chance(0.5) ? 1 : 20)));
    return out;
  }
}

// ---------------------------------------------------------------- legitimate structures
function single(b: Builder): number {
  const r = b.r;
  const age = Math.round(Math.min(72, Math.max(21, 38 + 12 * r.normal())));
  const p = b.person('town', age, r.chance(WEAK_SHARE));
  p.c.address = b.ids.address();
  p.c.employer = r.chance(0.78) ? r.w<string>([...TOWN_EMPLOYERS.map((e, i) => [e, 1 / (i + 2)] as [string, number]), [UNIVERSITY, 0.4]]) : undefined;
  if (p.c.employer === undefined) delete p.c.employer;
  const home = b.ids.homeIp();
  const ts = b.times(false);
  for (const t of ts) {
    const c = b.strip(p.c, { employer: 0.05 });
    if (r.chance(0.12)) {
      delete c.deviceId; // branch application
    } else c.ip = r.chance(0.55) ? home : r.pick(b.mobileIps);
    b.add(t, p, c, 'single', null);
  }
  return ts.length;
}

function studentUnit(b: Builder): number {
  const r = b.r;
  const { p } = b.student(r.chance(WEAK_SHARE));
  const parent = r.chance(0.15) ? b.ids.mobile() : undefined;
  const people: Person[] = [p];
  if (parent && r.chance(0.2)) {
    // a sibling at the same university who also gives the parent's phone
    const sib = b.student(r.chance(WEAK_SHARE)).p;
    sib.last = p.last;
    if (p.c.address && !p.c.address.includes(UNIVERSITY)) sib.c.address = p.c.address;
    people.push(sib);
  }
  let n = 0;
  for (const q of people) {
    for (const t of b.times(true)) {
      const c = b.session(q, true);
      if (parent && r.chance(0.75)) c.phone = parent;
      b.add(t, q, b.strip(c), 'student', null, { fresher: t < START + 25 * DAY && q.age <= 19 });
      n++;
    }
  }
  return n;
}

function clubUnit(b: Builder): number {
  const r = b.r;
  const size = r.int(8, 20);
  const members = Array.from({ length: size }, () => b.student(r.chance(WEAK_SHARE)).p);
  const treasurer = members[0];
  if (!treasurer) return 0;
  const payout = treasurer.c.bankAccount;
  const share = 0.2 + 0.4 * r.next();
  const clubLaptop = r.chance(0.4) ? b.ids.device() : undefined;
  // a club often applies around the same weeks (trip deposits, equipment), not on the same evening
  const focus = STUDENT_DAYS.draw(r);
  let n = 0;
  for (const m of members) {
    const day = r.chance(0.5) ? focus + r.int(-12, 12) : STUDENT_DAYS.draw(r);
    const c = b.session(m, true);
    if (m !== treasurer && payout && r.chance(share)) c.bankAccount = payout;
    if (clubLaptop && r.chance(0.15)) c.deviceId = clubLaptop;
    b.add(at(r, day, STUDENT_HOUR.draw(r)), m, b.strip(c, { bank: 0.03 }), 'student-club', null);
    n++;
  }
  return n;
}

function hostUnit(b: Builder): number {
  const r = b.r;
  const address = b.ids.address();
  const landline = b.ids.landline();
  const homeIp = b.ids.homeIp();
  let n = 0;
  const hostAge = r.int(38, 66);
  const hosts = [b.person('host', hostAge, r.chance(WEAK_SHARE * 0.7))];
  if (r.chance(0.6)) hosts.push(b.person('host', Math.max(30, hostAge + r.int(-4, 4)), r.chance(WEAK_SHARE * 0.7)));
  const joint = r.chance(0.35) ? hosts[0]?.c.bankAccount : undefined;
  for (const h of hosts) {
    h.married = true;
    h.c.address = address;
    h.c.employer = r.chance(0.8) ? r.pick(TOWN_EMPLOYERS.concat([UNIVERSITY])) : undefined;
    if (h.c.employer === undefined) delete h.c.employer;
    if (r.chance(0.5)) continue; // hosts do not always borrow
    const c = { ...h.c, ip: homeIp };
    if (r.chance(0.4)) c.phone = landline;
    if (joint) c.bankAccount = joint;
    b.add(timeOf(r, false), h, b.strip(c), 'host-family', null);
    n++;
  }
  const guests = r.w<number>([[1, 0.35], [2, 0.4], [3, 0.2], [4, 0.05]]);
  for (let i = 0; i < guests; i++) {
    const f = r.pick(FOREIGN);
    const g = b.person('intl', r.int(19, 29), r.chance(WEAK_SHARE), f);
    g.c.address = address;
    for (const t of b.times(true)) {
      const c = b.session(g, true);
      c.phone = r.chance(0.6) ? landline : (c.phone ?? landline);
      if (r.chance(0.4)) c.ip = homeIp;
      delete c.employer;
      b.add(t, g, b.strip(c, { bank: 0.1 }), 'host-family', null, { fresher: t < START + 30 * DAY });
      n++;
    }
  }
  return n;
}

function staffUnit(b: Builder): number {
  const r = b.r;
  const address = b.ids.address();
  const homeIp = b.ids.homeIp();
  const landline = r.chance(0.5) ? b.ids.landline() : undefined;
  const laptop = r.chance(0.4) ? b.ids.device() : undefined;
  const age = r.int(28, 62);
  const staff = b.person('staff', age, r.chance(WEAK_SHARE * 0.6));
  staff.married = true;
  staff.c.employer = r.w<string>([[UNIVERSITY, 0.85], ['Lakeshore University Hospital', 0.15]]);
  const people: { p: Person; kind: 'adult' | 'child' }[] = [{ p: staff, kind: 'adult' }];
  if (r.chance(0.75)) {
    const sp = b.person(r.chance(0.3) ? 'staff' : 'town', Math.max(25, age + r.int(-5, 5)), r.chance(WEAK_SHARE * 0.8));
    sp.married = true;
    sp.male = !staff.male;
    sp.c.employer = sp.persona === 'staff' ? UNIVERSITY : r.chance(0.8) ? r.pick(TOWN_EMPLOYERS) : undefined;
    if (sp.c.employer === undefined) delete sp.c.employer;
    people.push({ p: sp, kind: 'adult' });
  }
  if (age >= 44 && r.chance(0.35)) {
    const child = b.student(r.chance(WEAK_SHARE)).p;
    child.age = r.int(18, Math.min(26, age - 20));
    child.c.address = address;
    people.push({ p: child, kind: 'child' });
  }
  const joint = r.chance(0.35) ? staff.c.bankAccount : undefined;
  const applying = people.filter((x, i) => i === 0 || r.chance(0.6));
  let n = 0;
  for (const { p, kind } of applying) {
    if (kind === 'adult') p.c.address = address;
    for (const t of b.times(kind === 'child')) {
      const c: Canon = kind === 'child' ? b.session(p, true) : { ...p.c };
      if (kind === 'adult') {
        if (r.chance(0.1)) delete c.deviceId;
        else c.ip = r.chance(0.7) ? homeIp : r.pick(b.mobileIps);
        if (laptop && c.deviceId && r.chance(0.6)) c.deviceId = laptop;
        if (landline && r.chance(0.3)) c.phone = landline;
        if (joint && r.chance(0.7)) c.bankAccount = joint;
      } else if (r.chance(0.3)) {
        c.ip = homeIp;
        if (laptop) c.deviceId = laptop;
      }
      b.add(t, p, b.strip(c), 'staff-household', null);
      n++;
    }
  }
  return n;
}

// ---------------------------------------------------------------- rings
function campusMules(b: Builder, ring: string, size: number): void {
  const r = b.r;
  const weeks = r.int(2, 4);
  const start = r.w<number>([[r.int(8, 110), 0.7], [r.int(120, 150), 0.2], [r.int(150, SPAN_DAYS - 7 * weeks), 0.1]]);
  const accounts = Array.from({ length: r.int(1, 3) }, () => b.ids.bank());
  const laptop = b.ids.device();
  const offCampusIp = r.chance(0.3) ? b.ids.homeIp() : undefined;
  const laptopShare = 0.65 + 0.3 * r.next();
  const payShare = 0.75 + 0.25 * r.next();
  const coachedEmployer = r.chance(0.4) ? r.pick(['Lakeshore Huiyuan Trading Co', 'Xinrui E-commerce Studio', 'Campus Express Courier']) : undefined;
  const hallBuilding = r.chance(0.5) ? [`Building ${r.int(1, 14)}`, r.pick(DORMS)] : undefined;
  const sessions = Array.from({ length: Math.max(2, Math.ceil(size / r.int(2, 4))) }, () => ({ day: start + r.int(0, weeks * 7 - 1), hour: r.pick([14, 19, 20, 21, 22]), used: 0 }));
  for (let i = 0; i < size; i++) {
    const { p } = b.student(r.chance(RING_WEAK_SHARE));
    p.persona = 'student';
    if (hallBuilding && r.chance(0.6)) p.c.address = [`Room ${r.int(1, 6)}${String(r.int(1, 30)).padStart(2, '0')}`, ...hallBuilding, ...CAMPUS_ADDRESS];
    const s = r.pick(sessions);
    const t = at(r, s.day, s.hour) + s.used++ * r.int(4, 25) * 60_000;
    const c: Canon = { ...p.c };
    if (r.chance(laptopShare)) {
      c.deviceId = laptop;
      c.ip = offCampusIp ?? r.pick(b.campusIps);
    } else c.ip = r.chance(0.6) ? r.pick(b.campusIps) : r.pick(b.mobileIps);
    if (r.chance(payShare)) c.bankAccount = r.pick(accounts);
    if (coachedEmployer && r.chance(0.5)) c.employer = coachedEmployer;
    b.add(t, p, b.strip(c, { bank: 0.01 }), 'campus-mules', ring, { bigger: r.chance(0.6), coached: r.chance(0.5), micro: 0.55 });
  }
}

function identityRental(b: Builder, ring: string, size: number): void {
  const r = b.r;
  // split the ring into rented identities, each used by 2 or 3 strangers
  const uses: number[] = [];
  let left = size;
  while (left > 0) {
    const k = left === 4 ? 2 : left <= 3 ? left : r.chance(0.5) ? 2 : 3;
    uses.push(k);
    left -= k;
  }
  if (uses.length > 1 && (uses[uses.length - 1] ?? 2) < 2) {
    uses.pop();
    uses[uses.length - 1] = (uses[uses.length - 1] ?? 2) + 1;
  }
  const span = r.int(7, 42);
  const start = r.int(0, SPAN_DAYS - span - 1);
  const brokerIp = r.chance(0.35) ? b.ids.homeIp() : undefined;
  const brokerAccount = r.chance(0.25) ? b.ids.bank() : undefined;
  for (const k of uses) {
    const owner = b.student(r.chance(WEAK_SHARE)).p;
    const ownerSex = owner.male;
    if (r.chance(0.3)) {
      // the real student applied on their own before renting the identity out
      const t = at(r, Math.max(0, start - r.int(3, 60)), STUDENT_HOUR.draw(r));
      b.add(t, owner, b.strip(b.session(owner, true)), 'student', null);
    }
    const rentDay = start + r.int(0, span);
    for (let j = 0; j < k; j++) {
      const stranger = b.person('town', owner.age, r.chance(RING_WEAK_SHARE));
      stranger.persona = r.chance(0.5) ? 'student' : 'town';
      const c: Canon = {
        nationalId: owner.c.nationalId,
        phone: b.ids.mobile(),
        deviceId: b.ids.device(),
        email: stranger.c.email,
        bankAccount: brokerAccount && r.chance(0.5) ? brokerAccount : stranger.c.bankAccount,
        address: r.chance(0.5) ? owner.c.address : b.ids.address(),
        ip: brokerIp && r.chance(0.5) ? brokerIp : r.chance(0.25) ? r.pick(b.campusIps) : r.pick(b.mobileIps),
      };
      if (r.chance(0.2)) c.employer = r.pick(TOWN_EMPLOYERS.concat(CAMPUS_JOBS));
      const male = r.chance(0.85) ? ownerSex : stranger.male;
      const t = at(r, rentDay + r.int(0, 6), TOWN_HOUR.draw(r));
      b.add(t, { ...stranger, male }, b.strip(c, { email: 0.08 }), 'identity-rental', ring, { bigger: r.chance(0.5) });
    }
  }
}

function groupBuyScam(b: Builder, ring: string, size: number): void {
  const r = b.r;
  const room = [`Room ${r.int(1, 6)}${String(r.int(1, 30)).padStart(2, '0')}`, `Building ${r.int(1, 14)}`, r.pick(DORMS), ...CAMPUS_ADDRESS];
  const phones = [b.ids.mobile(), b.ids.mobile()];
  const device = b.ids.device();
  const ip = r.chance(0.7) ? r.pick(b.campusIps) : r.pick(b.mobileIps);
  const days = r.int(1, 3);
  const start = r.chance(0.5) ? r.pick([r.int(3, 18), r.int(175, SPAN_DAYS - days)]) : r.int(0, SPAN_DAYS - days);
  const domain = r.w(MAIL_DOMAINS);
  const sharedAccounts = r.chance(0.4) ? [b.ids.bank(), b.ids.bank()] : undefined;
  const hour = r.pick([13, 15, 20, 21, 22]);
  for (let i = 0; i < size; i++) {
    const p = b.person('student', r.int(18, 23), r.chance(RING_WEAK_SHARE));
    const email = r.chance(0.7) ? b.ids.email(p.first, p.last, p.age, domain) : p.c.email;
    const day = start + Math.floor((i * days) / size);
    const t = at(r, day, hour) + i * r.int(2, 12) * 60_000;
    const c: Canon = {
      nationalId: p.c.nationalId,
      phone: r.pick(phones),
      deviceId: device,
      ip,
      email,
      address: room,
      bankAccount: sharedAccounts && r.chance(0.6) ? r.pick(sharedAccounts) : p.c.bankAccount,
    };
    b.add(t, p, b.strip(c, { email: 0.06, bank: 0.02 }), 'group-buy-scam', ring, { fresher: r.chance(0.5), micro: 0.8 });
  }
}

const PLANT: Record<Shape, (b: Builder, ring: string, size: number) => void> = {
  'campus-mules': campusMules,
  'identity-rental': identityRental,
  'group-buy-scam': groupBuyScam,
};

function generate({ seed, size = 3000 }: { readonly seed: number; readonly size?: number }): Population {
  const r = new R(seed);
  const b = new Builder(r, size);
  const [lo, hi] = RING_SHARE_RANGE;
  const budget = Math.round(size * (lo + (hi - lo) * r.next()));
  // rings: every shape twice (once each when the population is too small), then more until the budget is spent
  const minTotal = SHAPES.reduce((s, sh) => s + SHAPE_SIZES[sh][0], 0);
  const perShape = budget >= 2 * minTotal ? 2 : 1;
  const plan: [Shape, number][] = [];
  for (let k = 0; k < perShape; k++) for (const sh of SHAPES) plan.push([sh, SHAPE_SIZES[sh][0]]);
  let total = plan.length ? plan.reduce((s, [, n]) => s + n, 0) : 0;
  // grow the mandatory rings towards random sizes, then add rings
  for (const entry of plan) {
    const [sh, n] = entry;
    const want = r.int(SHAPE_SIZES[sh][0], SHAPE_SIZES[sh][1]);
    const grow = Math.max(0, Math.min(want - n, budget - total));
    entry[1] = n + grow;
    total += grow;
  }
  for (;;) {
    const sh = r.pick(SHAPES);
    const [mn, mx] = SHAPE_SIZES[sh];
    if (budget - total < mn) break;
    const n = Math.min(r.int(mn, mx), budget - total);
    plan.push([sh, n]);
    total += n;
  }
  plan.forEach(([sh, n], i) => PLANT[sh](b, `campus-ring-${String(i + 1).padStart(3, '0')}`, n));

  const ringMembers = b.drafts.filter((d) => d.ring !== null).length;
  const legitTarget = Math.max(0, size - ringMembers);
  let legit = b.drafts.length - ringMembers;
  const units: Record<Legit, (b: Builder) => number> = {
    single, student: studentUnit, 'student-club': clubUnit, 'host-family': hostUnit, 'staff-household': staffUnit,
  };
  // structures are drawn against their remaining member quotas (units differ in size)
  const made: Record<string, number> = {};
  for (const d of b.drafts) if (d.ring === null) made[d.kind] = (made[d.kind] ?? 0) + 1;
  while (legit < legitTarget) {
    const open = LEGIT_WEIGHTS.map(([k, share]) => [k, Math.max(0, share * legitTarget - (made[k] ?? 0))] as const).filter(([, w]) => w > 0);
    const kind: Legit = open.length ? r.w(open) : 'single';
    const n = units[kind](b);
    made[kind] = (made[kind] ?? 0) + n;
    legit += n;
  }

  b.drafts.sort((x, y) => x.t - y.t || x.seq - y.seq);
  const members: PopulationMember[] = b.drafts.map((d, i) => ({
    application: { applicationId: `LKU-${String(seed >>> 0).padStart(4, '0')}-${String(i + 1).padStart(6, '0')}`, ...d.app } as Application,
    submittedAt: d.t,
    ring: d.ring,
    kind: d.kind,
  }));
  return { generator: 'campus', seed, members };
}

export const generator: PopulationGenerator = {
  name: 'campus',
  ringShapes: SHAPES,
  legitimateStructures: LEGIT_WEIGHTS.map(([k]) => k),
  generate,
};
