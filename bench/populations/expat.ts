// The "expat" population: a migrant-worker loan portfolio over 200 days (from 3 March 2025).
// Legitimate structures: 'single'; 'worker-dorm' (10-40 workers at one dormitory address, a shared
// dorm Wi-Fi IP, mostly one factory employer, roommates sometimes sharing a phone/SIM or a handset,
// personal remittance accounts); 'labour-agency' (an agency files for 5-25 of its workers in
// batches from its office: agency device(s), agency email, agency landline, office IP; the
// workers' own ids and accounts, often a real dorm address); 'remittance-family' (2-4 relatives
// sending money home through one family bank account); 'household' (a family at one address with
// a home landline, home IP, sometimes a family tablet and a joint account).
// Ring shapes: 'agency-fronted' (a rogue agency files 8-20 fake workers with fresh ids from 1-3
// devices and 1-2 phones, paid into 2-3 agency accounts, within days); 'passport-rental' (ids of
// real workers, most of whom also apply themselves, re-used by strangers with their own phones and
// devices, often paying into a broker's accounts); 'remittance-mule-chain' (6-14 members over
// weeks: member k shares a bank account with k+1 for even k and a phone with k+2 for k mod 4 in
// {1,2}, which makes one alternating account/phone chain 0-1-3-2-4-5-7-6-8-...).
// Rings camouflage themselves with hub employers, real dorm addresses, carrier NAT IPs and, now
// and then, a legitimate agency's office network or a real family's account.
// Identifiers are written as applicants type them (case, spacing, punctuation, +86 / 0086 / bare
// national phone formats); equal underlying values normalise equal (phones with default code 86).
import type { Applicant } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------- parameters
const START = Date.UTC(2025, 2, 3); // Monday 3 March 2025
const SPAN_DAYS = 200;
const DAY = 86_400_000;
/** Share of legitimate applicants drawn from the weak (poor-credit-risk) profile. */
const WEAK_SHARE = 0.27;
/** Fake or borrowed identities are filled in a little optimistically, but not obviously so. */
const RING_WEAK_SHARE = 0.22;
const RING_SHARE_MIN = 0.035;
const RING_SHARE_MAX = 0.055;

const RING_SHAPES = ['agency-fronted', 'passport-rental', 'remittance-mule-chain'] as const;
const LEGIT = ['single', 'worker-dorm', 'labour-agency', 'remittance-family', 'household'] as const;
type Shape = (typeof RING_SHAPES)[number];

// ---------------------------------------------------------------- PRNG (sfc32 seeded by splitmix32)
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
    this.c = (this.c << 21) | (this.c >>> 11);
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
    let x = this.next() * total;
    for (const [v, w] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    const last = pairs[pairs.length - 1];
    if (!last) throw new Error('weighted from empty list');
    return last[0];
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }
}

// ---------------------------------------------------------------- the world
interface Phone {
  readonly cc: string;
  /** Area code (without trunk 0) for landlines; '' for mobiles. */
  readonly area: string;
  readonly num: string;
}

interface Nation {
  readonly key: string;
  readonly cc: string;
  readonly foreign: boolean;
  readonly first: readonly string[];
  readonly last: readonly string[];
}

const NATIONS: readonly Nation[] = [
  { key: 'VN', cc: '84', foreign: true, first: ['van.an', 'thi.hoa', 'minh', 'duc', 'thi.lan', 'quang', 'tuan', 'thi.mai'], last: ['nguyen', 'tran', 'le', 'pham', 'hoang', 'vu', 'dang'] },
  { key: 'PH', cc: '63', foreign: true, first: ['maria', 'jose', 'mark', 'joy', 'rowena', 'jun', 'ana', 'ramon'], last: ['santos', 'reyes', 'cruz', 'bautista', 'garcia', 'mendoza', 'dela.cruz'] },
  { key: 'ID', cc: '62', foreign: true, first: ['budi', 'siti', 'agus', 'dewi', 'rina', 'eko', 'wahyu'], last: ['santoso', 'rahayu', 'wijaya', 'pratama', 'saputra', 'lestari'] },
  { key: 'NP', cc: '977', foreign: true, first: ['ram', 'sita', 'bikash', 'sunita', 'hari', 'anil'], last: ['gurung', 'tamang', 'rai', 'magar', 'thapa', 'shrestha'] },
  { key: 'MM', cc: '95', foreign: true, first: ['aung', 'thida', 'kyaw', 'hla', 'zaw', 'moe'], last: ['win', 'oo', 'htun', 'myint', 'naing', 'aye'] },
  { key: 'CN', cc: '86', foreign: false, first: ['wei', 'fang', 'jun', 'li', 'qiang', 'yan', 'hui', 'ping'], last: ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'zhao', 'huang'] },
];
const NATION_WEIGHTS: readonly (readonly [Nation, number])[] = NATIONS.map((n, i) => [n, [30, 18, 14, 8, 8, 22][i] ?? 1] as const);

interface City {
  readonly name: string;
  readonly region: string;
  readonly area: string;
  readonly districts: readonly string[];
}
const CITIES: readonly City[] = [
  { name: 'Shenzhen', region: 'south', area: '755', districts: ["Bao'an", 'Longhua', 'Longgang', 'Guangming'] },
  { name: 'Dongguan', region: 'south', area: '769', districts: ['Chang an', 'Humen', 'Tangxia', 'Songshan Lake'] },
  { name: 'Guangzhou', region: 'south', area: '20', districts: ['Baiyun', 'Panyu', 'Huangpu'] },
  { name: 'Shanghai', region: 'east', area: '21', districts: ['Songjiang', 'Jiading', 'Minhang', 'Pudong'] },
  { name: 'Suzhou', region: 'east', area: '512', districts: ['Kunshan', 'Wuzhong', 'Xiangcheng'] },
  { name: 'Ningbo', region: 'east', area: '574', districts: ['Beilun', 'Yinzhou'] },
  { name: 'Tianjin', region: 'north', area: '22', districts: ['Binhai', 'Xiqing', 'Beichen'] },
  { name: 'Beijing', region: 'north', area: '10', districts: ['Daxing', 'Changping', 'Shunyi'] },
  { name: 'Chengdu', region: 'west', area: '28', districts: ['Pidu', 'Shuangliu', 'Xindu'] },
  { name: 'Chongqing', region: 'west', area: '23', districts: ['Shapingba', 'Jiangbei', 'Banan'] },
];
const CITY_WEIGHTS: readonly (readonly [City, number])[] = CITIES.map((c, i) => [c, [16, 10, 8, 12, 10, 5, 7, 6, 8, 6][i] ?? 1] as const);

const STREETS = ['Industrial', 'Xingye', 'Huaxia', 'Fuhai', 'Jinqiao', 'Chuangye', 'Hongxing', 'Gongye', 'Minzhu', 'Heping', 'Jianshe', 'Yuanshan', 'Qianjin', 'Tongfu'];
const DORM_NAMES = ['Xinghua', 'Hongli', 'Jinfeng', 'Anju', 'Lehe', 'Yongxing', 'Taihe', 'Fuyuan', 'Minle', 'Huamei', 'Kangle', 'Shunda'];
const ESTATES = ['Garden', 'Court', 'Residence', 'Village', 'Apartments', 'Mansion'];
const ESTATE_NAMES = ['Lijing', 'Bihai', 'Cuiyuan', 'Jinxiu', 'Meilin', 'Huafu', 'Tianyi', 'Songhe', 'Zhongxin', 'Haiyue', 'Yuelan'];
const HUB_EMPLOYERS = [
  'Hongli Precision Electronics (CITY) Co., Ltd.', 'Foxstar Technology Group', 'Jinda Garment Manufacturing Co., Ltd.',
  'Sunwin Auto Parts (CITY) Co., Ltd.', 'Greatwall Logistics Co., Ltd.', 'Meixin Food Processing Co., Ltd.',
  'Ocean Pacific Shipyard Services', 'Lianfa Construction Labour Services Co., Ltd.',
];
const SMALL_EMPLOYER_A = ['Golden', 'Lucky', 'Happy', 'New', 'Grand', 'Star', 'Green', 'Royal', 'Bright', 'Sunny', 'Oriental', 'Pearl'];
const SMALL_EMPLOYER_B = ['Dragon Restaurant', 'Garden Hotel', 'Cleaning Services Co.', 'Hair Salon', 'Textile Workshop', 'Renovation Co., Ltd.', 'Noodle House', 'Electronics Repair', 'Packaging Co., Ltd.', 'Kitchen', 'Property Management Co.', 'Trading Co., Ltd.'];
const AGENCY_NAMES = ['Sunrise', 'Harvest', 'Bridge', 'Silkroad', 'Evergreen', 'Unity', 'Horizon', 'Mekong', 'Pacific', 'Everest', 'Lotus', 'Golden Gate'];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', '163.com', 'hotmail.com'];
const IP_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  south: ['113.87', '119.123', '183.14', '14.153', '116.24'],
  east: ['101.80', '180.160', '58.246', '114.88', '222.73'],
  north: ['123.112', '111.193', '221.198', '60.29'],
  west: ['125.70', '171.213', '14.109', '222.182'],
};

// weighted tables of the credit profile (strong / weak variants)
const T0: readonly (readonly [string, number])[] = [['skilled_employee', 55], ['management_self_emp_highly_qualified', 25], ['unskilled_resident', 20]];
const T1: readonly (readonly [string, number])[] = [['skilled_employee', 40], ['unskilled_resident', 35], ['unemployed_unskilled', 15], ['management_self_emp_highly_qualified', 10]];
const T2: readonly (readonly [string, number])[] = [['skilled_employee', 50], ['unskilled_resident', 42], ['management_self_emp_highly_qualified', 8]];
const T3: readonly (readonly [string, number])[] = [['unskilled_resident', 55], ['skilled_employee', 30], ['unemployed_unskilled', 15]];
const T4: readonly (readonly [string, number])[] = [['none', 44], ['0_to_200', 26], ['gt_200', 12], ['lt_0', 18]];
const T5: readonly (readonly [string, number])[] = [['lt_0', 42], ['0_to_200', 36], ['none', 14], ['gt_200', 8]];
const T6: readonly (readonly [string, number])[] = [['paid_duly', 55], ['critical', 24], ['delay', 8], ['this_bank_all_paid', 6], ['no_credit_all_paid', 7]];
const T7: readonly (readonly [string, number])[] = [['paid_duly', 36], ['delay', 20], ['no_credit_all_paid', 18], ['this_bank_all_paid', 16], ['critical', 10]];
const T8: readonly (readonly [string, number])[] = [['radio_television', 20], ['furniture_equipment', 14], ['used_car', 9], ['new_car', 5], ['education', 10], ['repairs', 6], ['business', 8], ['domestic_appliance', 5], ['retraining', 4], ['other', 19]];
const T9: readonly (readonly [string, number])[] = [['lt_100', 42], ['100_to_500', 16], ['500_to_1000', 10], ['gt_1000', 10], ['unknown', 22]];
const T10: readonly (readonly [string, number])[] = [['lt_100', 72], ['100_to_500', 14], ['unknown', 10], ['500_to_1000', 4]];
const T11: readonly (readonly [string, number])[] = [['1_to_4', 42], ['4_to_7', 22], ['gt_7', 14], ['lt_1', 22]];
const T12: readonly (readonly [string, number])[] = [['lt_1', 38], ['1_to_4', 38], ['unemployed', 10], ['4_to_7', 10], ['gt_7', 4]];
const T13: readonly (readonly [string, number])[] = [['none', 90], ['guarantor', 5], ['co_applicant', 5]];
const T14: readonly (readonly [string, number])[] = [['car_other', 34], ['insurance', 26], ['unknown', 30], ['real_estate', 10]];
const T15: readonly (readonly [string, number])[] = [['unknown', 42], ['car_other', 32], ['insurance', 22], ['real_estate', 4]];
const T16: readonly (readonly [string, number])[] = [['none', 84], ['bank', 11], ['stores', 5]];
const T17: readonly (readonly [string, number])[] = [['none', 56], ['bank', 29], ['stores', 15]];
const T18: readonly (readonly [number, number])[] = [[4, 50], [3, 25], [2, 17], [1, 8]];
const T19: readonly (readonly [number, number])[] = [[4, 30], [3, 20], [2, 30], [1, 20]];
const T20: readonly (readonly [number, number])[] = [[1, 40], [2, 40], [3, 15], [4, 5]];
const T21: readonly (readonly [number, number])[] = [[1, 66], [2, 30], [3, 3], [4, 1]];
const T22: readonly (readonly [number, number])[] = [[1, 82], [2, 18]];

interface Draft {
  t: number;
  order: number;
  ring: string | null;
  kind: string;
  region: string;
  product: string;
  amount: number;
  termMonths: number;
  applicant: Applicant;
  nationalId?: string;
  phone?: Phone;
  deviceId?: string;
  ip?: string;
  email?: string;
  address?: string;
  bankAccount?: string;
  employer?: string;
}

interface Worker {
  readonly nation: Nation;
  readonly nationalId: string;
  readonly age: number;
  readonly region: string;
  readonly address?: string;
  readonly employer?: string;
}

interface Dorm {
  readonly address: string;
  readonly city: City;
  readonly employer: string;
}

interface Profile {
  age: number;
  foreign: boolean;
  housing: string;
  sex: string;
  jobBias: 'worker' | 'household' | 'any';
  hasTelephone: boolean;
}

function generatePopulation(seed: number, size: number) {
  const r = new Rng(seed);
  const used = new Set<string>();
  const fresh = (make: () => string): string => {
    for (let i = 0; i < 50; i++) {
      const v = make();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
    const v = make() + r.digits(4);
    used.add(v);
    return v;
  };
  const drafts: Draft[] = [];
  let order = 0;

  // ---- identifier factories (underlying values)
  const cityEmployer = (template: string, city: City) => template.replace('CITY', city.name);
  const smallEmployer = () => `${r.pick(SMALL_EMPLOYER_A)} ${r.pick(SMALL_EMPLOYER_B)}`;
  const passport = (n: Nation, age: number): string =>
    fresh(() => {
      switch (n.key) {
        case 'VN': return `C${r.digits(7)}`;
        case 'PH': return `P${r.digits(7)}${'ABCDEFGH'[r.int(0, 7)]}`;
        case 'ID': return `${r.pick(['B', 'C', 'X'])}${r.digits(7)}`;
        case 'NP': return `PA${r.digits(7)}`;
        case 'MM': return `M${r.pick(['A', 'B', 'C', 'D'])}${r.digits(6)}`;
        default: {
          const region = r.pick(['410102', '510104', '430102', '520102', '340102', '360102', '450102', '420106']);
          const y = 2025 - age;
          const body = `${region}${y}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}${r.digits(3)}`;
          const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
          let sum = 0;
          for (let i = 0; i < 17; i++) sum += Number(body[i]) * (w[i] ?? 0);
          return body + ('10X98765432'[sum % 11] ?? '0');
        }
      }
    });
  const cnMobile = (): Phone => ({ cc: '86', area: '', num: fresh(() => `1${r.pick(['3', '5', '7', '8', '9'])}${r.digits(9)}`) });
  const homeMobile = (n: Nation): Phone => ({
    cc: n.cc,
    area: '',
    num: fresh(() => (n.key === 'ID' ? `8${r.digits(9)}` : n.key === 'NP' ? `98${r.digits(8)}` : `9${r.digits(n.key === 'VN' ? 8 : 9)}`)),
  });
  const workerPhone = (n: Nation): Phone => (n.foreign && r.chance(0.08) ? homeMobile(n) : cnMobile());
  const landline = (city: City): Phone => ({ cc: '86', area: city.area, num: fresh(() => `${r.int(2, 8)}${r.digits(7)}`) });
  const device = (): string => fresh(() => (r.chance(0.7) ? r.hex(16) : `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`.toUpperCase()));
  const ipIn = (region: string): string => fresh(() => `${r.pick(IP_PREFIXES[region] ?? ['113.87'])}.${r.int(1, 254)}.${r.int(1, 254)}`);
  const account = (): string => fresh(() => `62${r.pick(['17', '22', '28', '59', '84'])}${r.digits(15)}`);
  const email = (n: Nation): string =>
    fresh(() => (n.key === 'CN' && r.chance(0.6) ? `${r.int(1, 9)}${r.digits(r.int(7, 9))}@qq.com` : `${r.pick(n.first)}${r.pick(['.', '_', ''])}${r.pick(n.last)}${r.chance(0.7) ? r.int(1, 99) : ''}@${r.pick(FREE_MAIL)}`));
  const street = (city: City) => `No. ${r.int(1, 399)} ${r.pick(STREETS)} Road, ${r.pick(city.districts)} District, ${city.name}`;
  const homeAddress = (city: City): string => fresh(() => `Flat ${r.int(1, 32)}${String(r.int(1, 8)).padStart(2, '0')}, Building ${r.int(1, 20)}, ${r.pick(ESTATE_NAMES)} ${r.pick(ESTATES)}, ${street(city)}`);
  const rentedRoom = (city: City): string => fresh(() => `Room ${r.int(101, 699)}, ${r.int(1, 60)} ${r.pick(['Lane', 'Alley'])} ${r.int(1, 30)}, ${r.pick(ESTATE_NAMES)} Village, ${street(city)}`);

  // carrier NAT egress IPs shared by many unrelated mobile users, and internet cafes
  const natPool: Record<string, string[]> = {};
  for (const region of Object.keys(IP_PREFIXES)) natPool[region] = Array.from({ length: 14 }, () => ipIn(region));
  const natIp = (region: string) => r.pick(natPool[region] ?? []);
  const cafes = Array.from({ length: 6 }, () => r.pick(CITIES)).map((c) => ({ city: c, ip: ipIn(c.region) }));

  // ---- timing
  const clampDay = (d: number) => Math.min(SPAN_DAYS - 1, Math.max(0, d));
  const at = (day: number, style: 'worker' | 'office' | 'any' | 'night'): number => {
    const d = clampDay(day);
    const weekday = (d % 7) < 5; // day 0 is a Monday
    let hour: number;
    if (style === 'office') hour = weekday ? r.int(9, 17) : r.int(10, 15);
    else if (style === 'night') hour = r.weighted([[r.int(21, 23), 3], [r.int(0, 3), 2], [r.int(9, 20), 1]]);
    else if (style === 'worker') hour = weekday ? r.weighted([[r.int(19, 23), 6], [r.int(12, 13), 2], [r.int(6, 18), 2], [r.int(0, 1), 1]]) : r.int(8, 23);
    else hour = r.int(7, 23);
    return START + d * DAY + hour * 3_600_000 + r.int(0, 3_599_999);
  };
  const legitDay = (): number => {
    // a little bunching after payday (the 10th) but spread over the whole window
    for (let i = 0; i < 3; i++) {
      const d = r.int(0, SPAN_DAYS - 1);
      const dom = new Date(START + d * DAY).getUTCDate();
      if (dom >= 10 && dom <= 16) return d;
      if (!r.chance(0.35)) return d;
    }
    return r.int(0, SPAN_DAYS - 1);
  };

  // ---- credit profile and loan
  const applicant = (weak: boolean, p: Profile): Applicant => {
    const w = (strong: readonly (readonly [string, number])[], poor: readonly (readonly [string, number])[]) =>
      r.weighted(weak !== r.chance(0.15) ? poor : strong); // 15% of fields come from the other profile
    const job = p.jobBias === 'household'
      ? w(T0, T1)
      : w(T2, T3);
    return {
      age: p.age,
      checkingAccountStatus: w(T4, T5),
      creditHistory: w(T6, T7),
      purpose: r.weighted(T8),
      savingsAccountBonds: w(T9, T10),
      employmentDuration: w(T11, T12),
      personalStatusSex: p.sex,
      otherDebtorsGuarantors: r.weighted(T13),
      property: w(T14, T15),
      otherInstallmentPlans: w(T16, T17),
      housing: p.housing,
      job,
      installmentRatePct: weak ? r.weighted(T18) : r.weighted(T19),
      residenceYears: p.housing === 'for_free' ? r.weighted(T20) : r.int(1, 4),
      existingCredits: r.weighted(T21),
      dependents: r.weighted(T22),
      hasTelephone: p.hasTelephone,
      foreignWorker: p.foreign,
    };
  };
  const loan = (microShare: number, bias: 'normal' | 'max' = 'normal'): { product: string; amount: number; termMonths: number } => {
    if (r.chance(microShare)) {
      const hi = r.chance(0.01) ? 4500 : 3000; // now and then someone asks above the micro product maximum
      const amount = bias === 'max' && r.chance(0.6) ? r.int(40, hi / 50) * 50 : Math.round(Math.exp(Math.log(150) + r.next() * Math.log(hi / 150)) / 50) * 50;
      return { product: 'micro_loan', amount: Math.max(100, Math.min(hi, amount)), termMonths: r.pick([3, 6, 6, 9, 12, 12, 18, 24]) };
    }
    const raw = bias === 'max' && r.chance(0.6) ? r.int(8000, 20000) : Math.exp(Math.log(800) + r.next() * Math.log(20000 / 800));
    const amount = Math.max(300, Math.min(20000, Math.round(raw / 100) * 100));
    return { product: 'personal_loan', amount, termMonths: r.pick(amount < 3000 ? [6, 12, 12, 18, 24] : [12, 24, 24, 36, 36, 48, 60, 72]) };
  };
  const workerAge = () => Math.round(r.weighted([[r.int(21, 29), 45], [r.int(30, 39), 35], [r.int(40, 52), 18], [r.int(19, 20), 2]]));
  const workerSex = () => r.weighted([['male_single', 58], ['female_not_single', 26], ['male_married_widowed', 11], ['male_divorced_seperated', 5]]);

  const push = (d: Omit<Draft, 'order'>) => drafts.push({ ...d, order: order++ });

  // ---- legitimate pools referenced later
  const dorms: Dorm[] = [];
  const realWorkers: Worker[] = [];
  const familyAccounts: string[] = [];
  const agencyOffices: { ip: string; region: string }[] = [];

  // ---- sizes
  const ringShare = RING_SHARE_MIN + r.next() * (RING_SHARE_MAX - RING_SHARE_MIN);
  const ringTarget = Math.round(size * ringShare);
  // plan the rings first (the first six cycle through the shapes, so every shape gets two rings
  // whenever the ring budget allows), then fill the rest with legitimate applicants
  const sizeOf = (shape: Shape) => (shape === 'agency-fronted' ? r.int(8, 20) : shape === 'passport-rental' ? r.int(5, 16) : r.int(6, 14));
  const minOf = (shape: Shape) => (shape === 'agency-fronted' ? 8 : shape === 'passport-rental' ? 4 : 6);
  const plan: [Shape, number][] = [];
  let ringLeft = ringTarget;
  for (let planned = 0; ringLeft >= 4 && planned < 60; planned++) {
    const shape: Shape = planned < 6 ? (RING_SHAPES[(planned + (seed >>> 0)) % 3] ?? 'agency-fronted') : r.pick(RING_SHAPES);
    const n = Math.min(sizeOf(shape), ringLeft);
    if (n < minOf(shape)) continue;
    plan.push([shape, n]);
    ringLeft -= n;
  }
  const legitTarget = size - (ringTarget - ringLeft);

  // ================================================================ legitimate structures
  const dormAddress = (city: City) => fresh(() => `${r.pick(DORM_NAMES)} Workers' Dormitory, ${street(city)}`);

  const makeDorm = (n: number) => {
    const city = r.weighted(CITY_WEIGHTS);
    const employer = cityEmployer(r.pick(HUB_EMPLOYERS), city);
    const address = dormAddress(city);
    dorms.push({ address, city, employer });
    const wifi = [ipIn(city.region), ...(r.chance(0.4) ? [ipIn(city.region)] : [])];
    const mainNation = r.weighted(NATION_WEIGHTS);
    const mono = r.chance(0.7);
    let left = n;
    let room = 0;
    while (left > 0) {
      const occupants = Math.min(left, r.int(4, 8));
      left -= occupants;
      room++;
      const roomAddress = `Room ${r.int(1, 6)}${String(room).padStart(2, '0')}, ${address}`;
      const sharedSim = r.chance(0.28) ? cnMobile() : undefined;
      const simUsers = sharedSim ? r.int(2, 3) : 0;
      let roomDevice: string | undefined;
      for (let i = 0; i < occupants; i++) {
        const nation = mono ? mainNation : r.weighted(NATION_WEIGHTS);
        const age = workerAge();
        const id = passport(nation, age);
        const branch = r.chance(0.1);
        let dev: string | undefined;
        if (!branch) {
          if (roomDevice && r.chance(0.12)) dev = roomDevice;
          else dev = device();
          roomDevice ??= dev;
        }
        const addr = r.weighted<string | undefined>([[address, 78], [roomAddress, 17], [undefined, 5]]);
        const emp = r.chance(0.88) ? employer : r.chance(0.5) ? cityEmployer(r.pick(HUB_EMPLOYERS), city) : smallEmployer();
        realWorkers.push({ nation, nationalId: id, age, region: city.region, address, employer: emp });
        push({
          t: at(legitDay(), 'worker'), ring: null, kind: 'worker-dorm', region: city.region, ...loan(0.6),
          applicant: applicant(r.chance(WEAK_SHARE), { age, foreign: nation.foreign, housing: r.chance(0.65) ? 'for_free' : 'rent', sex: workerSex(), jobBias: 'worker', hasTelephone: r.chance(0.15) }),
          nationalId: id,
          phone: i < simUsers && sharedSim ? sharedSim : workerPhone(nation),
          ...(dev ? { deviceId: dev, ip: r.chance(0.65) ? r.pick(wifi) : natIp(city.region) } : {}),
          ...(r.chance(0.55) ? { email: email(nation) } : {}),
          ...(addr ? { address: addr } : {}),
          ...(r.chance(0.96) ? { bankAccount: account() } : {}),
          employer: emp,
        });
      }
    }
  };

  const makeAgency = (n: number) => {
    const city = r.weighted(CITY_WEIGHTS);
    const name = `${r.pick(AGENCY_NAMES)} ${r.pick(['Human Resources', 'Manpower', 'Labour Services', 'Staffing'])}`;
    const domain = `${name.split(' ')[0]?.toLowerCase() ?? 'agency'}-${r.pick(['hr', 'staff', 'jobs', 'manpower'])}${r.int(1, 99)}.cn`;
    const agencyEmail = fresh(() => `${r.pick(['recruit', 'apply', 'service', 'hr', 'info'])}@${domain}`);
    const office = landline(city);
    const officeIp = ipIn(city.region);
    agencyOffices.push({ ip: officeIp, region: city.region });
    const devices = [device(), ...(r.chance(0.35) ? [device()] : [])];
    const clients = [cityEmployer(r.pick(HUB_EMPLOYERS), city), ...(r.chance(0.5) ? [cityEmployer(r.pick(HUB_EMPLOYERS), city)] : [])];
    const cityDorms = dorms.filter((d) => d.city === city);
    const hostel = rentedRoom(city);
    const batches = Math.max(1, Math.min(n, r.int(2, 4)));
    const batchDays = Array.from({ length: batches }, () => r.int(0, SPAN_DAYS - 5));
    const mainNation = r.weighted(NATION_WEIGHTS);
    for (let i = 0; i < n; i++) {
      const nation = r.chance(0.75) ? mainNation : r.weighted(NATION_WEIGHTS);
      const age = workerAge();
      const id = passport(nation, age);
      const dorm = cityDorms.length > 0 && r.chance(0.5) ? r.pick(cityDorms) : undefined;
      const addr = dorm ? dorm.address : r.chance(0.6) ? hostel : rentedRoom(city);
      const emp = dorm && r.chance(0.5) ? dorm.employer : r.pick(clients);
      realWorkers.push({ nation, nationalId: id, age, region: city.region, address: addr, employer: emp });
      push({
        t: at(r.pick(batchDays) + r.int(0, 3), 'office'), ring: null, kind: 'labour-agency', region: city.region, ...loan(0.7),
        applicant: applicant(r.chance(WEAK_SHARE), { age, foreign: nation.foreign, housing: r.chance(0.6) ? 'for_free' : 'rent', sex: workerSex(), jobBias: 'worker', hasTelephone: true }),
        nationalId: id,
        phone: r.chance(0.72) ? office : workerPhone(nation),
        deviceId: r.pick(devices),
        ip: officeIp,
        ...(r.chance(0.85) ? { email: agencyEmail } : r.chance(0.5) ? { email: email(nation) } : {}),
        address: addr,
        ...(r.chance(0.95) ? { bankAccount: account() } : {}),
        employer: emp,
      });
    }
  };

  const makeFamily = (n: number) => {
    const city = r.weighted(CITY_WEIGHTS);
    const nation = r.weighted(NATION_WEIGHTS.filter(([x]) => x.foreign));
    const familyAccount = account();
    familyAccounts.push(familyAccount);
    const shared = r.chance(0.5) ? rentedRoom(city) : undefined;
    const familyEmail = r.chance(0.2) ? email(nation) : undefined;
    const phones: Phone[] = [];
    for (let i = 0; i < n; i++) {
      const age = i === 0 ? r.int(30, 52) : workerAge();
      const id = passport(nation, age);
      const phone = phones.length > 0 && r.chance(0.15) ? r.pick(phones) : workerPhone(nation);
      phones.push(phone);
      const online = r.chance(0.8);
      const emp = r.chance(0.85) ? (r.chance(0.5) ? cityEmployer(r.pick(HUB_EMPLOYERS), city) : smallEmployer()) : undefined;
      const addr = shared && r.chance(0.9) ? shared : rentedRoom(city);
      realWorkers.push({ nation, nationalId: id, age, region: city.region, address: addr, ...(emp ? { employer: emp } : {}) });
      push({
        t: at(legitDay(), 'worker'), ring: null, kind: 'remittance-family', region: city.region, ...loan(0.65),
        applicant: applicant(r.chance(WEAK_SHARE), { age, foreign: true, housing: 'rent', sex: r.weighted([['male_single', 40], ['female_not_single', 35], ['male_married_widowed', 25]]), jobBias: 'worker', hasTelephone: r.chance(0.2) }),
        nationalId: id,
        phone,
        ...(online ? { deviceId: device(), ip: r.chance(0.5) ? natIp(city.region) : ipIn(city.region) } : {}),
        ...(familyEmail && r.chance(0.7) ? { email: familyEmail } : r.chance(0.5) ? { email: email(nation) } : {}),
        address: addr,
        bankAccount: r.chance(0.9) ? familyAccount : account(),
        ...(emp ? { employer: emp } : {}),
      });
    }
  };

  const makeHousehold = (n: number) => {
    const city = r.weighted(CITY_WEIGHTS);
    const nation = r.weighted(NATION_WEIGHTS);
    const address = homeAddress(city);
    const home = r.chance(0.55) ? landline(city) : undefined;
    const homeIp = ipIn(city.region);
    const tablet = r.chance(0.4) ? device() : undefined;
    const joint = r.chance(0.5) ? account() : undefined;
    const own = r.chance(0.3);
    for (let i = 0; i < n; i++) {
      const localSpouse = i === 1 && nation.foreign && r.chance(0.3);
      const n2 = localSpouse ? (NATIONS.find((x) => x.key === 'CN') ?? nation) : nation;
      const age = i < 2 ? r.int(26, 58) : r.int(19, 27);
      const online = r.chance(0.85);
      const selfEmployed = r.chance(0.12);
      push({
        t: at(legitDay(), 'any'), ring: null, kind: 'household', region: city.region, ...loan(0.35),
        applicant: applicant(r.chance(WEAK_SHARE), { age, foreign: n2.foreign, housing: own ? 'own' : 'rent', sex: i === 0 ? 'male_married_widowed' : i === 1 ? 'female_not_single' : r.pick(['male_single', 'female_not_single']), jobBias: 'household', hasTelephone: home !== undefined }),
        nationalId: passport(n2, age),
        phone: home && r.chance(0.35) ? home : workerPhone(n2),
        ...(online ? { deviceId: tablet && r.chance(0.5) ? tablet : device(), ip: r.chance(0.75) ? homeIp : natIp(city.region) } : {}),
        ...(r.chance(0.7) ? { email: email(n2) } : {}),
        address,
        ...(joint && r.chance(0.8) ? { bankAccount: joint } : { bankAccount: account() }),
        ...(selfEmployed ? {} : { employer: r.chance(0.4) ? cityEmployer(r.pick(HUB_EMPLOYERS), city) : smallEmployer() }),
      });
    }
  };

  const makeSingle = () => {
    const city = r.weighted(CITY_WEIGHTS);
    const nation = r.weighted(NATION_WEIGHTS);
    const age = workerAge();
    const id = passport(nation, age);
    const selfEmployed = r.chance(0.1);
    const channel = r.weighted([['online', 78], ['branch', 14], ['cafe', 8]]);
    const cafe = cafes.find((c) => c.city === city);
    const emp = selfEmployed ? undefined : r.chance(0.45) ? cityEmployer(r.pick(HUB_EMPLOYERS), city) : smallEmployer();
    const addr = r.chance(0.97) ? (r.chance(0.8) ? rentedRoom(city) : homeAddress(city)) : undefined;
    realWorkers.push({ nation, nationalId: id, age, region: city.region, ...(addr ? { address: addr } : {}), ...(emp ? { employer: emp } : {}) });
    push({
      t: at(legitDay(), 'worker'), ring: null, kind: 'single', region: city.region, ...loan(0.55),
      applicant: applicant(r.chance(WEAK_SHARE), { age, foreign: nation.foreign, housing: r.weighted([['rent', 75], ['for_free', 15], ['own', 10]]), sex: workerSex(), jobBias: 'any', hasTelephone: r.chance(0.25) }),
      nationalId: id,
      phone: workerPhone(nation),
      ...(channel === 'online' ? { deviceId: device(), ip: r.chance(0.45) ? natIp(city.region) : ipIn(city.region) } : {}),
      ...(channel === 'cafe' ? { deviceId: device(), ip: cafe ? cafe.ip : natIp(city.region) } : {}),
      ...(r.chance(0.6) ? { email: email(nation) } : {}),
      ...(addr ? { address: addr } : {}),
      ...(r.chance(0.95) ? { bankAccount: account() } : {}),
      ...(emp ? { employer: emp } : {}),
    });
  };

  let legitLeft = legitTarget;
  while (legitLeft > 0) {
    const kind = r.weighted<(typeof LEGIT)[number]>([['single', 50], ['worker-dorm', 1.6], ['labour-agency', 1.35], ['remittance-family', 5.2], ['household', 4.8]]);
    if (kind === 'worker-dorm' && legitLeft >= 10) {
      const n = Math.min(legitLeft, r.int(10, 40));
      makeDorm(n);
      legitLeft -= n;
    } else if (kind === 'labour-agency' && legitLeft >= 5) {
      const n = Math.min(legitLeft, r.int(5, 25));
      makeAgency(n);
      legitLeft -= n;
    } else if (kind === 'remittance-family' && legitLeft >= 2) {
      const n = Math.min(legitLeft, r.weighted([[2, 5], [3, 3], [4, 2]]));
      makeFamily(n);
      legitLeft -= n;
    } else if (kind === 'household' && legitLeft >= 2) {
      const n = Math.min(legitLeft, r.weighted([[2, 40], [3, 30], [4, 20], [5, 10]]));
      makeHousehold(n);
      legitLeft -= n;
    } else {
      makeSingle();
      legitLeft -= 1;
    }
  }
  // recycled SIM cards: a few numbers reassigned by the carrier to an unrelated later applicant
  const byTime = [...drafts].sort((a, b) => a.t - b.t || a.order - b.order);
  for (let i = 0; i < byTime.length; i++) {
    const d = byTime[i];
    if (!d || d.kind !== 'single' || !d.phone || !r.chance(0.012)) continue;
    const j = r.int(i + 1, Math.min(byTime.length - 1, i + Math.floor(byTime.length / 3)));
    const later = byTime[j];
    if (later && later.kind === 'single' && later.t - d.t > 60 * DAY) later.phone = d.phone;
  }

  // ================================================================ rings
  const ringFields = (weak: number, age: number, foreign: boolean, bias: 'normal' | 'max', micro: number) => ({
    ...loan(micro, bias),
    applicant: applicant(r.chance(weak), { age, foreign, housing: r.weighted([['for_free', 45], ['rent', 50], ['own', 5]]), sex: workerSex(), jobBias: 'worker' as const, hasTelephone: r.chance(0.2) }),
  });
  let ringNo = 0;
  const ringId = (shape: Shape) => `xp-${shape === 'agency-fronted' ? 'af' : shape === 'passport-rental' ? 'pr' : 'mc'}-${String(++ringNo).padStart(3, '0')}-${r.hex(4)}`;

  const makeAgencyFronted = (n: number) => {
    const id = ringId('agency-fronted');
    const city = r.weighted(CITY_WEIGHTS);
    const cityDorms = dorms.filter((d) => d.city === city);
    const phones = [r.chance(0.6) ? landline(city) : cnMobile(), ...(r.chance(0.4) ? [cnMobile()] : [])];
    const devices = Array.from({ length: r.weighted([[1, 45], [2, 40], [3, 15]]) }, device);
    const accounts = Array.from({ length: r.int(2, 3) }, account);
    const nearbyAgency = agencyOffices.filter((o) => o.region === city.region);
    const ip = nearbyAgency.length > 0 && r.chance(0.25) ? r.pick(nearbyAgency).ip : r.chance(0.3) ? natIp(city.region) : ipIn(city.region);
    const agencyMail = r.chance(0.6) ? fresh(() => `${r.pick(['jobs', 'recruit', 'hr'])}.${r.pick(AGENCY_NAMES).toLowerCase().replace(' ', '')}${r.int(1, 999)}@${r.pick(FREE_MAIL)}`) : undefined;
    const housing = cityDorms.length > 0 && r.chance(0.5) ? r.pick(cityDorms).address : rentedRoom(city);
    const employer = r.chance(0.7) ? cityEmployer(r.pick(HUB_EMPLOYERS), city) : smallEmployer();
    const nation = r.weighted(NATION_WEIGHTS);
    const burst = r.int(1, 6);
    const day0 = r.int(0, SPAN_DAYS - burst);
    const style = r.chance(0.7) ? 'office' : 'night';
    const bias = r.chance(0.6) ? 'max' : 'normal';
    const ownPhoneShare = r.pick([0, 0.1, 0.25]);
    for (let i = 0; i < n; i++) {
      const age = workerAge();
      push({
        t: at(day0 + r.int(0, burst - 1), style), ring: id, kind: 'agency-fronted', region: city.region,
        ...ringFields(RING_WEAK_SHARE, age, nation.foreign, bias, 0.65),
        nationalId: passport(r.chance(0.85) ? nation : r.weighted(NATION_WEIGHTS), age),
        phone: r.chance(ownPhoneShare) ? cnMobile() : r.pick(phones),
        deviceId: r.pick(devices),
        ip: r.chance(0.85) ? ip : natIp(city.region),
        ...(agencyMail ? (r.chance(0.9) ? { email: agencyMail } : {}) : r.chance(0.7) ? { email: email(nation) } : {}),
        address: r.chance(0.8) ? housing : rentedRoom(city),
        bankAccount: r.pick(accounts),
        ...(r.chance(0.9) ? { employer } : {}),
      });
    }
  };

  const makePassportRental = (n: number) => {
    const id = ringId('passport-rental');
    const region = r.weighted([['south', 40], ['east', 30], ['north', 15], ['west', 15]]);
    const cities = CITIES.filter((c) => c.region === region);
    const pool = realWorkers.filter((w) => w.region === region && w.nation.foreign);
    const k = Math.max(2, Math.min(n - 1, r.int(2, 6)));
    const victims: Worker[] = [];
    for (let i = 0; i < k; i++) {
      if (pool.length > 0 && r.chance(0.7)) victims.push(r.pick(pool));
      else {
        // a worker who has gone home and left the passport with a broker: not otherwise in the portfolio
        const nation = r.weighted(NATION_WEIGHTS.filter(([x]) => x.foreign));
        const age = workerAge();
        const c = r.pick(cities);
        victims.push({ nation, nationalId: passport(nation, age), age, region, address: dorms.find((d) => d.city.region === region)?.address ?? rentedRoom(c), employer: cityEmployer(r.pick(HUB_EMPLOYERS), c) });
      }
    }
    const brokerAccounts = Array.from({ length: r.int(1, 2) }, account);
    const brokerShare = r.pick([0.3, 0.5, 0.7]);
    const cafe = cafes.find((c) => c.city.region === region);
    const cafeShare = cafe ? r.pick([0, 0.3, 0.5]) : 0;
    const span = r.int(14, 56);
    const day0 = r.int(0, SPAN_DAYS - span);
    for (let i = 0; i < n; i++) {
      const v = victims[i % k] ?? r.pick(victims);
      const city = r.pick(cities);
      const branch = r.chance(0.2);
      const atCafe = !branch && r.chance(cafeShare);
      push({
        t: at(day0 + r.int(0, span), 'any'), ring: id, kind: 'passport-rental', region,
        ...ringFields(RING_WEAK_SHARE, v.age, true, 'normal', 0.6),
        nationalId: v.nationalId,
        phone: cnMobile(),
        ...(branch ? {} : { deviceId: device(), ip: atCafe && cafe ? cafe.ip : r.chance(0.5) ? natIp(region) : ipIn(region) }),
        ...(r.chance(0.6) ? { email: email(v.nation) } : {}),
        ...(r.chance(0.9) ? { address: v.address && r.chance(0.5) ? v.address : rentedRoom(city) } : {}),
        bankAccount: r.chance(brokerShare) ? r.pick(brokerAccounts) : account(),
        ...(v.employer && r.chance(0.6) ? { employer: v.employer } : r.chance(0.6) ? { employer: smallEmployer() } : {}),
      });
    }
  };

  const makeMuleChain = (n: number) => {
    const id = ringId('remittance-mule-chain');
    const city = r.weighted(CITY_WEIGHTS);
    const cityDorms = dorms.filter((d) => d.city === city);
    const gap = r.int(2, 6);
    const day0 = r.int(0, Math.max(0, SPAN_DAYS - gap * n - 3));
    const accounts: string[] = [];
    const phones: Phone[] = [];
    const devices: string[] = [];
    const nation = r.weighted(NATION_WEIGHTS);
    for (let k = 0; k < n; k++) {
      // account pairs (0,1),(2,3),...; phone pairs (k,k+2) for k mod 4 in {1,2}: one alternating chain
      if (k % 2 === 0) accounts[k] = k + 1 < n ? account() : familyAccounts.length > 0 && r.chance(0.4) ? r.pick(familyAccounts) : account();
      else accounts[k] = accounts[k - 1] ?? account();
      if (k >= 2 && ((k - 2) % 4 === 1 || (k - 2) % 4 === 2)) phones[k] = phones[k - 2] ?? workerPhone(nation);
      else if (k === n - 1 && k % 4 === 2) phones[k] = phones[k - 1] ?? workerPhone(nation); // keep the tail attached
      else phones[k] = workerPhone(nation);
      devices[k] = k > 0 && r.chance(0.2) ? (devices[k - 1] ?? device()) : device();
      const age = workerAge();
      const online = r.chance(0.85);
      push({
        t: at(day0 + k * gap + r.int(0, gap), 'worker'), ring: id, kind: 'remittance-mule-chain', region: city.region,
        ...ringFields(RING_WEAK_SHARE, age, nation.foreign, 'normal', 0.7),
        nationalId: passport(r.chance(0.8) ? nation : r.weighted(NATION_WEIGHTS), age),
        phone: phones[k] ?? cnMobile(),
        ...(online ? { deviceId: devices[k] ?? device(), ip: r.chance(0.5) ? natIp(city.region) : ipIn(city.region) } : {}),
        ...(r.chance(0.6) ? { email: email(nation) } : {}),
        address: cityDorms.length > 0 && r.chance(0.35) ? r.pick(cityDorms).address : rentedRoom(city),
        bankAccount: accounts[k] ?? account(),
        ...(r.chance(0.85) ? { employer: r.chance(0.6) ? cityEmployer(r.pick(HUB_EMPLOYERS), city) : smallEmployer() } : {}),
      });
    }
  };

  for (const [shape, n] of plan) {
    if (shape === 'agency-fronted') makeAgencyFronted(n);
    else if (shape === 'passport-rental') makePassportRental(n);
    else makeMuleChain(n);
  }
  return drafts;
}

// ---------------------------------------------------------------- rendering as applicants type
function grp(s: string, sizes: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= s.length) break;
    out.push(s.slice(i, i + n));
    i += n;
  }
  if (i < s.length) out.push(s.slice(i));
  return out.join(' ');
}

function renderPhone(r: Rng, p: Phone): string {
  if (p.cc !== '86') {
    return r.pick([`+${p.cc} ${grp(p.num, [3, 3, 4])}`, `+${p.cc}${p.num}`, `00${p.cc} ${p.num}`, `+${p.cc}-${p.num}`]);
  }
  if (p.area) {
    const n = grp(p.num, [4, 4]);
    return r.pick([`0${p.area}-${p.num}`, `(0${p.area}) ${n}`, `+86 ${p.area} ${n}`, `0086-${p.area}-${p.num}`, `0${p.area} ${n}`]);
  }
  return r.pick([p.num, p.num, `+86 ${grp(p.num, [3, 4, 4])}`, `+86${p.num}`, `0086 ${p.num}`, `${grp(p.num, [3, 4, 4]).replace(/ /g, '-')}`, ` ${grp(p.num, [3, 4, 4])}`]);
}

function renderText(r: Rng, s: string): string {
  const ops = r.weighted([['as', 55], ['lower', 15], ['upper', 8], ['nocomma', 12], ['spaces', 10]]);
  switch (ops) {
    case 'lower': return s.toLowerCase();
    case 'upper': return s.toUpperCase();
    case 'nocomma': return s.replace(/,/g, '').replace(/\./g, '');
    case 'spaces': return ` ${s.replace(/, /g, ' ,  ')} `;
    default: return s;
  }
}

function renderId(r: Rng, s: string): string {
  const v = r.weighted([['as', 60], ['lower', 15], ['spaced', 15], ['dashed', 10]]);
  if (v === 'lower') return s.toLowerCase();
  if (s.length === 18) {
    if (v === 'spaced') return `${s.slice(0, 6)} ${s.slice(6, 14)} ${s.slice(14)}`;
    if (v === 'dashed') return `${s.slice(0, 6)}-${s.slice(6, 14)}-${s.slice(14)}`;
    return s;
  }
  const cut = /^[A-Z]+/.exec(s)?.[0].length ?? 1;
  if (v === 'spaced') return `${s.slice(0, cut)} ${s.slice(cut)}`;
  if (v === 'dashed') return `${s.slice(0, cut)}-${s.slice(cut)}`;
  return s;
}

function renderIdentifiers(r: Rng, d: Draft): RawIdentifiers {
  const ids: RawIdentifiers = {};
  if (d.nationalId) ids.nationalId = renderId(r, d.nationalId);
  if (d.phone) ids.phone = renderPhone(r, d.phone);
  if (d.deviceId) ids.deviceId = r.chance(0.15) ? (d.deviceId === d.deviceId.toUpperCase() ? d.deviceId.toLowerCase() : d.deviceId.toUpperCase()) : d.deviceId;
  if (d.ip) {
    const v = r.weighted([['as', 94], ['mapped', 4], ['zeros', 2]]);
    ids.ip = v === 'mapped' ? `::ffff:${d.ip}` : v === 'zeros' ? d.ip.split('.').map((o) => o.padStart(3, '0')).join('.') : d.ip;
  }
  if (d.email) ids.email = r.weighted([[d.email, 75], [d.email.replace(/^./, (c) => c.toUpperCase()), 12], [d.email.toUpperCase(), 5], [` ${d.email}`, 8]]);
  if (d.address) ids.address = renderText(r, d.address);
  if (d.bankAccount) {
    const b = d.bankAccount;
    ids.bankAccount = r.weighted([[b, 45], [grp(b, [4, 4, 4, 4]), 40], [grp(b, [4, 4, 4, 4]).replace(/ /g, '-'), 15]]);
  }
  if (d.employer) ids.employer = renderText(r, d.employer);
  return ids;
}

export const generator: PopulationGenerator = {
  name: 'expat',
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT,
  generate({ seed, size = 3000 }) {
    const n = Math.max(100, Math.round(size));
    const drafts = generatePopulation(seed, n);
    drafts.sort((a, b) => a.t - b.t || a.order - b.order);
    const r = new Rng((seed ^ 0x5bd1e995) >>> 0);
    const members: PopulationMember[] = drafts.map((d, i) => {
      const date = new Date(d.t).toISOString().slice(0, 10).replace(/-/g, '');
      return {
        application: {
          applicationId: `XPT-${date}-${String(i + 1).padStart(6, '0')}`,
          product: d.product,
          region: d.region,
          amount: d.amount,
          termMonths: d.termMonths,
          applicant: d.applicant,
          identifiers: renderIdentifiers(r, d),
        },
        submittedAt: d.t,
        ring: d.ring,
        kind: d.kind,
      };
    });
    return { generator: 'expat', seed, members };
  },
};
