// Synthetic population "family": a provincial lender's portfolio over 200 days with many repeat
// customers, large rural families, couples, company phone pools and villages whose addresses are
// only the village name. Three kinds of fraud ring hide in it: stolen identities, synthetic
// identities and thin phone/device chains. Written without reference to the detector (src/graph).
//
// Everything is drawn from one seeded sfc32 generator: the same seed and size give a
// byte-identical population. Identifiers are written the way people type them; two spellings of
// one underlying value differ only in case, spacing, punctuation (.,;:#'"()), phone country-code
// style or IP notation, so they normalise equal.
import type { Applicant, Application } from '../../src/decision/application';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import type { PopulationGenerator, PopulationMember } from './types';

// ---------------------------------------------------------------- parameters

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPAN_DAYS = 200;
/** 2025-02-03 00:00 China Standard Time (UTC+8). */
const START = Date.UTC(2025, 1, 3) - 8 * HOUR;
const END = START + SPAN_DAYS * DAY;
/** Share of legitimate applicants drawn with a poor credit profile. */
const WEAK_SHARE = 0.25;
/** Share of fraud-ring members drawn with a poor credit profile (fraudsters type in plausible data). */
const RING_WEAK_SHARE = 0.22;
/** Target share of applications that belong to fraud rings (jittered per seed). */
const RING_SHARE = 0.045;
/** Target shares of the legitimate applications by structure; 'single' takes the rest. */
const LEGIT_SHARES: Record<string, number> = {
  'repeat-applicant': 0.17,
  'multi-generation-family': 0.14,
  'joint-account-couple': 0.08,
  'company-phone-pool': 0.08,
  'village-address': 0.11,
};

const RING_SHAPES = ['stolen-identity', 'synthetic-identity', 'phone-chain'] as const;
type RingShape = (typeof RING_SHAPES)[number];
const LEGIT_STRUCTURES = ['single', 'multi-generation-family', 'joint-account-couple', 'company-phone-pool', 'repeat-applicant', 'village-address'] as const;

// ---------------------------------------------------------------- PRNG

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = (Math.trunc(seed) ^ 0x5eed_fa11) >>> 0;
    const splitmix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 15; i++) this.next();
  }

  /** sfc32: uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
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

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}

// ---------------------------------------------------------------- geography

type Region = 'east' | 'north' | 'south' | 'west';

interface County {
  readonly name: string;
  readonly region: Region;
  /** Telephone area code without the trunk 0 (never starts with 86). */
  readonly area: string;
  /** First six digits of national ids issued here. */
  readonly idCode: string;
  readonly towns: readonly string[];
  readonly urban: boolean;
}

const COUNTIES: readonly County[] = [
  { name: 'Jiangcheng Central District', region: 'east', area: '571', idCode: '330702', towns: ['Chengguan', 'Xinqiao', 'Beimen'], urban: true },
  { name: 'Dongpu County', region: 'east', area: '572', idCode: '330725', towns: ['Dongpu', 'Huayuan', 'Shangxi', 'Tanjia'], urban: false },
  { name: 'Heyang County', region: 'east', area: '573', idCode: '330726', towns: ['Heyang', 'Lianhua', 'Baitang'], urban: false },
  { name: 'Baishan County', region: 'north', area: '574', idCode: '330522', towns: ['Baishan', 'Shuikou', 'Fenglin', 'Gaoping'], urban: false },
  { name: 'Beiling District', region: 'north', area: '575', idCode: '330502', towns: ['Beiling', 'Xinzhuang', 'Jinsha'], urban: true },
  { name: 'Nanfeng County', region: 'south', area: '577', idCode: '331122', towns: ['Nanfeng', 'Yuxi', 'Daping', 'Shitang'], urban: false },
  { name: 'Longtan County', region: 'south', area: '578', idCode: '331123', towns: ['Longtan', 'Qingshui', 'Huangtian'], urban: false },
  { name: 'Xiyuan County', region: 'west', area: '579', idCode: '330881', towns: ['Xiyuan', 'Meishan', 'Hongyan', 'Tianping'], urban: false },
  { name: 'Songling District', region: 'west', area: '570', idCode: '330802', towns: ['Songling', 'Zhuxi', 'Wanfu'], urban: true },
];

const ROADS = [
  'Jiefang', 'Renmin', 'Zhongshan', 'Hexi', 'Jiangbin', 'Wenhua', 'Xinhua', 'Chaoyang', 'Dongsheng', 'Qingnian',
  'Yingbin', 'Huancheng', 'Shengli', 'Minzhu', 'Kaifa', 'Binhe', 'Fuqian', 'Xueyuan', 'Lvyuan', 'Jinxiu',
];
const ESTATES = [
  'Jinxiu Garden', 'Lanting Residence', 'Binjiang Huayuan', 'Xinyue Court', 'Taoyuan Xincun', 'Hongfu Mansion',
  'Yangguang Garden', 'Shimao Residence', 'Lvdi Court', 'Wanke City Garden', 'Donghu Xincun', 'Guihua Yuan',
];
const SYLLABLES = [
  'an', 'bai', 'chang', 'da', 'dong', 'feng', 'gao', 'he', 'hong', 'hua', 'jin', 'jing', 'kang', 'lan', 'li', 'lian',
  'long', 'mei', 'nan', 'ping', 'qing', 'quan', 'shan', 'shang', 'shi', 'shui', 'song', 'tai', 'tang', 'tian', 'wan',
  'xi', 'xia', 'xin', 'yang', 'yun', 'zhu', 'zhang', 'ling', 'fu',
];
const SURNAMES = [
  'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Zhao', 'Huang', 'Zhou', 'Wu', 'Xu', 'Sun', 'Hu', 'Zhu', 'Gao', 'Lin',
  'He', 'Guo', 'Ma', 'Luo', 'Liang', 'Song', 'Zheng', 'Xie', 'Han', 'Tang', 'Feng', 'Ye', 'Cheng', 'Cai', 'Pan', 'Du',
  'Dai', 'Xia', 'Zhong', 'Wei', 'Jiang', 'Fang', 'Shen', 'Lu',
];
const GIVEN = [
  'wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'juan', 'tao', 'ming',
  'chao', 'xiu', 'xia', 'ping', 'gang', 'hui', 'hong', 'hao', 'yu', 'xin', 'bo', 'lan', 'mei', 'ting', 'kai', 'rui',
];
const FREE_MAIL = ['163.com', '126.com', 'qq.com', 'sina.com', 'foxmail.com', 'sohu.com', '139.com'] as const;
const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157',
  '158', '159', '166', '173', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '198', '199',
];
/** Debit-card BINs: state banks, the rural credit union, postal savings. */
const BINS = ['622848', '621700', '622202', '623058', '621799', '622188', '621226', '622908', '623668'];
const INDUSTRIES = [
  'Textile', 'Tea', 'Valve', 'Bamboo Products', 'Auto Parts', 'Electric Appliance', 'Construction', 'Logistics',
  'Food Processing', 'Printing', 'Hardware', 'Furniture', 'Garment', 'Pharmaceutical', 'Plastics',
];
const BRANDS = ['Hengda', 'Xinyuan', 'Huamei', 'Jinlong', 'Tianyi', 'Fuxing', 'Ruifeng', 'Yongsheng', 'Hongtai', 'Mingda', 'Dingsheng', 'Kaiyuan', 'Boya', 'Shunfa', 'Lianfa'];

const cap = (s: string) => (s.length ? s[0]!.toUpperCase() + s.slice(1) : s);

// ---------------------------------------------------------------- people and places

interface Household {
  readonly county: County;
  readonly address: string;
  readonly homeIp: string | null;
  readonly landline: string | null;
  /** The home PC's browser fingerprint, when the household has one. */
  readonly pc: string | null;
  readonly rural: boolean;
}

interface Person {
  readonly nationalId: string;
  readonly birth: number;
  readonly male: boolean;
  marital: 'single' | 'married' | 'divorced';
  readonly surname: string;
  readonly given: string;
  household: Household;
  mobile: string | null;
  email: string | null;
  employer: string | null;
  readonly work: 'employee' | 'self' | 'retired' | 'none';
  bank: string;
  device: string | null;
  browser: string | null;
  readonly foreign: boolean;
  readonly weak: boolean;
  readonly base: BaseProfile;
}

interface BaseProfile {
  checkingAccountStatus: string;
  creditHistory: string;
  savingsAccountBonds: string;
  employmentDuration: string;
  otherDebtorsGuarantors: string;
  property: string;
  otherInstallmentPlans: string;
  housing: string;
  job: string;
  residenceYears: number;
  existingCredits: number;
  dependents: number;
  hasTelephone: boolean;
}

type Channel = 'app' | 'web' | 'branch';

interface Draft {
  readonly at: number;
  readonly seq: number;
  readonly product: string;
  readonly region: Region;
  readonly amount: number;
  readonly termMonths: number;
  readonly applicant: Applicant;
  readonly identifiers: RawIdentifiers;
  readonly ring: string | null;
  readonly kind: string;
}

const ageAt = (birth: number, at: number) => {
  const b = new Date(birth + 8 * HOUR);
  const d = new Date(at + 8 * HOUR);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) age--;
  return age;
};

function idCheckDigit(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (weights[i] ?? 0);
  return '10X98765432'[sum % 11] ?? '0';
}

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

// ---------------------------------------------------------------- the generator proper

class FamilyPopulation {
  private readonly r: Rng;
  private readonly drafts: Draft[] = [];
  private seq = 0;
  private readonly used = new Map<string, Set<string>>();
  private readonly natPools: Record<Region, string[]>;
  private readonly branches = new Map<string, { ip: string }[]>();
  private readonly hubEmployers: string[];
  private readonly villages: { county: County; address: string; committee: string; branchIp: string | null }[] = [];
  /** Legitimate people whose data a stolen-identity ring may have bought (singles and repeat customers). */
  private readonly exposed: Person[] = [];
  private readonly legitCount = new Map<string, number>();
  private readonly firms = new Map<string, string[]>();

  constructor(
    seed: number,
    private readonly size: number,
  ) {
    this.r = new Rng(seed);
    const r = this.r;
    // Carrier-grade NAT: mobile-data applicants in a region come out of a shared pool of public addresses.
    const natSize = Math.max(12, Math.round(size / 40));
    const natPrefixes: Record<Region, string[]> = {
      east: ['112.17', '117.136', '223.104'],
      north: ['112.10', '117.147', '223.93'],
      south: ['39.144', '120.239', '223.88'],
      west: ['39.187', '111.0', '183.131'],
    };
    this.natPools = { east: [], north: [], south: [], west: [] };
    for (const region of ['east', 'north', 'south', 'west'] as const) {
      for (let i = 0; i < natSize; i++) {
        this.natPools[region].push(this.unique('ip', () => `${r.pick(natPrefixes[region])}.${r.int(0, 255)}.${r.int(1, 254)}`));
      }
    }
    for (const county of COUNTIES) {
      const n = county.urban ? 2 : r.int(1, 2);
      const list: { ip: string }[] = [];
      for (let i = 0; i < n; i++) list.push({ ip: this.unique('ip', () => `61.${r.int(128, 191)}.${r.int(0, 255)}.${r.int(2, 250)}`) });
      this.branches.set(county.name, list);
    }
    // Large local employers that many unrelated applicants name.
    this.hubEmployers = [
      'Jiangcheng People Hospital',
      'Dongpu County Power Supply Company',
      'Jiangcheng Municipal Education Bureau',
      'Baishan Hengda Textile Co., Ltd.',
      'Nanfeng Tea Industry Group Co., Ltd.',
      'Xiyuan Valve Manufacturing Co., Ltd.',
      'China Post Jiangcheng Branch',
      'Jiangcheng Public Transport Group',
      'Longtan Hydropower Station',
      'Songling Wanjia Supermarket Chain Co., Ltd.',
    ];
  }

  // ---------- uniqueness and identifier values

  /** A value of one identifier kind nobody else in the population has been given yet. */
  private unique(type: string, make: () => string): string {
    let used = this.used.get(type);
    if (!used) this.used.set(type, (used = new Set()));
    for (let i = 0; i < 1000; i++) {
      const v = make();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
    throw new Error(`could not make a unique ${type}`);
  }

  private nationalId(county: County, birth: number, male: boolean): string {
    const r = this.r;
    const d = new Date(birth + 8 * HOUR);
    const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    return this.unique('nid', () => {
      const seq = r.int(0, 99) * 10 + (male ? r.pick([1, 3, 5, 7, 9]) : r.pick([0, 2, 4, 6, 8]));
      const body = `${county.idCode}${ymd}${String(seq).padStart(3, '0')}`;
      return body + idCheckDigit(body);
    });
  }

  private mobile(): string {
    return this.unique('phone', () => this.r.pick(MOBILE_PREFIXES) + this.r.digits(8));
  }

  private landline(county: County): string {
    return this.unique('phone', () => county.area + String(this.r.int(2, 8)) + this.r.digits(this.r.chance(0.6) ? 7 : 6));
  }

  private bank(): string {
    return this.unique('bank', () => {
      const body = this.r.pick(BINS) + this.r.digits(12);
      return body + luhnDigit(body);
    });
  }

  private android(): string {
    return this.unique('dev', () => this.r.hex(16));
  }

  private ios(): string {
    const r = this.r;
    return this.unique('dev', () => `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`.toUpperCase());
  }

  private phoneDevice(): string {
    return this.r.chance(0.72) ? this.android() : this.ios();
  }

  private webFingerprint(): string {
    return this.unique('dev', () => `fp-${this.r.hex(24)}`);
  }

  private homeIp(): string {
    const r = this.r;
    return this.unique('ip', () => `${r.pick(['115', '122', '125', '183', '60', '218'])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}`);
  }

  private proxyIp(): string {
    const r = this.r;
    return this.unique('ip', () => `${r.pick(['47.96', '47.242', '103.117', '45.76', '104.238', '154.83', '8.210', '149.28'])}.${r.int(0, 255)}.${r.int(2, 254)}`);
  }

  private email(surname: string, given: string, birthYear: number): string {
    const r = this.r;
    const s = surname.toLowerCase();
    const yy = String(birthYear % 100).padStart(2, '0');
    return this.unique('email', () => {
      const domain = r.pick(FREE_MAIL);
      if (domain === 'qq.com' && r.chance(0.6)) return `${r.int(1, 9)}${r.digits(r.int(7, 9))}@qq.com`;
      const local = r.pick([
        () => `${given}${s}${yy}`,
        () => `${s}.${given}`,
        () => `${s}${given}${r.digits(r.int(2, 4))}`,
        () => `${given}_${s}${r.int(1, 999)}`,
        () => `${s}${given[0] ?? ''}${yy}${r.digits(2)}`,
      ])();
      return `${local}@${domain}`;
    });
  }

  private randomEmail(): string {
    const r = this.r;
    return this.unique('email', () => {
      const domain = r.pick(FREE_MAIL);
      const local = r.pick([
        () => `${r.pick(SYLLABLES)}${r.pick(SYLLABLES)}${r.digits(r.int(3, 6))}`,
        () => `${r.pick(GIVEN)}${r.pick(SURNAMES).toLowerCase()}${r.digits(4)}`,
        () => `${r.hex(2).replace(/\d/g, 'x')}${r.pick(SYLLABLES)}_${r.digits(5)}`,
        () => `${r.int(1, 9)}${r.digits(r.int(8, 9))}`,
      ])();
      return `${local}@${domain === 'qq.com' && !/^\d+$/.test(local) ? '163.com' : domain}`;
    });
  }

  private placeName(): string {
    const r = this.r;
    let a = r.pick(SYLLABLES);
    let b = r.pick(SYLLABLES);
    while (b === a) b = r.pick(SYLLABLES);
    return cap(a) + b;
  }

  private urbanAddress(county: County): string {
    const r = this.r;
    return this.unique('addr', () =>
      r.chance(0.7)
        ? `Room ${r.int(1, 28)}0${r.int(1, 4)}, Building ${r.int(1, 24)}, ${r.pick(ESTATES)}, ${r.int(1, 399)} ${r.pick(ROADS)} Road, ${county.name}`
        : `No. ${r.int(1, 260)} ${r.pick(ROADS)} Street, ${r.pick(county.towns)} Town, ${county.name}`,
    );
  }

  private ruralAddress(county: County): string {
    const r = this.r;
    return this.unique('addr', () => `No. ${r.int(1, 180)} ${this.placeName()} Village, ${r.pick(county.towns)} Town, ${county.name}`);
  }

  private household(county: County, opts: { rural?: boolean; pc?: number; landline?: number } = {}): Household {
    const r = this.r;
    const rural = opts.rural ?? (!county.urban && r.chance(0.55));
    return {
      county,
      rural,
      address: rural ? this.ruralAddress(county) : this.urbanAddress(county),
      homeIp: r.chance(rural ? 0.6 : 0.88) ? this.homeIp() : null,
      landline: r.chance(opts.landline ?? (rural ? 0.45 : 0.25)) ? this.landline(county) : null,
      pc: r.chance(opts.pc ?? 0.3) ? this.webFingerprint() : null,
    };
  }

  private companyName(county: County): string {
    const r = this.r;
    const town = county.name.split(' ')[0] ?? county.name;
    return this.unique('employer', () => `${town} ${r.chance(0.5) ? r.pick(BRANDS) : this.placeName()} ${r.pick(INDUSTRIES)} Co., Ltd.`);
  }

  /** Local firms, a pool per county that grows with the portfolio: unrelated applicants often share one. */
  private localFirm(county: County): string {
    const r = this.r;
    let pool = this.firms.get(county.name);
    if (!pool) {
      pool = [];
      for (let i = 0, n = Math.max(8, Math.round(this.size / 60)); i < n; i++) pool.push(this.companyName(county));
      this.firms.set(county.name, pool);
    }
    // A few firms are much larger than the rest.
    return pool[Math.floor(pool.length * r.next() ** 1.8)] ?? r.pick(pool);
  }

  private smallEmployer(county: County): string {
    const r = this.r;
    return r.weighted<() => string>([
      [() => (r.chance(0.15) ? this.companyName(county) : this.localFirm(county)), 5],
      [() => `${r.pick(county.towns)} Town Government`, 1],
      [() => `${r.pick(county.towns)} Central Primary School`, 1],
      [() => `${r.pick(county.towns)} Health Center`, 1],
      [() => `${r.pick(SURNAMES)} ${r.pick(['Hardware Store', 'Noodle Restaurant', 'Auto Repair Shop', 'Building Materials Shop', 'Supermarket'])}`, 2],
    ])();
  }

  // ---------- rendering: how people type identifiers

  private renderPhone(national: string, ch: Channel): string {
    const r = this.r;
    const mobile = national.length === 11 && national.startsWith('1');
    const groups = mobile ? [national.slice(0, 3), national.slice(3, 7), national.slice(7)] : [national.slice(0, 3), national.slice(3)];
    const trunk = mobile ? national : `0${national}`;
    const style = r.weighted<string>([
      ['bare', ch === 'app' ? 2 : 5],
      ['spaced', 3],
      ['dashed', mobile ? 1 : 3],
      ['plus', ch === 'app' ? 5 : 2],
      ['plusSpaced', 2],
      ['double0', 1],
      ['cc', 0.5],
      ['paren', mobile ? 0 : 1],
    ]);
    switch (style) {
      case 'spaced':
        return mobile ? groups.join(' ') : `0${groups.join(' ')}`;
      case 'dashed':
        return mobile ? groups.join('-') : `0${groups[0]}-${groups[1]}`;
      case 'plus':
        return `+86${national}`;
      case 'plusSpaced':
        return `+86 ${groups.join(' ')}`;
      case 'double0':
        return r.chance(0.5) ? `0086${national}` : `0086 ${groups.join(' ')}`;
      case 'cc':
        return `86${national}`;
      case 'paren':
        return `(0${groups[0]}) ${groups[1]}`;
      default:
        return trunk;
    }
  }

  private renderNationalId(id: string): string {
    const r = this.r;
    const x = r.chance(0.5) ? id : id.toLowerCase();
    return r.weighted<() => string>([
      [() => x, 8],
      [() => `${x.slice(0, 6)} ${x.slice(6, 14)} ${x.slice(14)}`, 2],
      [() => `${x.slice(0, 6)}-${x.slice(6, 14)}-${x.slice(14)}`, 0.5],
      [() => ` ${x} `, 0.5],
    ])();
  }

  private renderBank(acct: string): string {
    const r = this.r;
    const groups = acct.match(/.{1,4}/g) ?? [acct];
    return r.weighted<() => string>([
      [() => acct, 6],
      [() => groups.join(' '), 3],
      [() => groups.join('-'), 0.5],
      [() => `${acct.slice(0, 6)} ${acct.slice(6)}`, 0.5],
    ])();
  }

  private renderText(canonical: string): string {
    const r = this.r;
    let s = canonical;
    if (r.chance(0.25)) s = s.replace(/, /g, r.chance(0.5) ? ' ' : ',');
    if (r.chance(0.15)) s = s.replace(/No\. /g, 'No.');
    if (r.chance(0.1)) s = s.replace(/ /, '  ');
    const c = r.next();
    if (c < 0.12) s = s.toLowerCase();
    else if (c < 0.18) s = s.toUpperCase();
    if (r.chance(0.05)) s = `${s} `;
    return s;
  }

  private renderEmployer(canonical: string): string {
    const r = this.r;
    let s = canonical;
    if (s.endsWith(' Co., Ltd.')) {
      const stem = s.slice(0, -' Co., Ltd.'.length);
      s = stem + r.weighted<string>([[' Co., Ltd.', 5], [' Co.,Ltd.', 3], [' Co. Ltd', 1], [' Co Ltd', 1], [' co.,ltd', 1]]);
    }
    const c = r.next();
    if (c < 0.1) s = s.toLowerCase();
    else if (c < 0.18) s = s.toUpperCase();
    if (r.chance(0.08)) s = s.replace(/ /, '  ');
    return s;
  }

  private renderEmail(e: string): string {
    const r = this.r;
    const c = r.next();
    if (c < 0.12) return cap(e);
    if (c < 0.16) return e.toUpperCase();
    if (c < 0.2) return ` ${e}`;
    return e;
  }

  private renderDevice(d: string): string {
    const c = this.r.next();
    if (d.startsWith('fp-')) return c < 0.05 ? d.toUpperCase() : d;
    if (c < 0.08) return d === d.toUpperCase() ? d.toLowerCase() : d.toUpperCase();
    return d;
  }

  private renderIp(ip: string): string {
    const r = this.r;
    const c = r.next();
    if (c < 0.06) return `::ffff:${ip}`;
    if (c < 0.08) return ip.split('.').map((o) => o.padStart(3, '0')).join('.');
    if (c < 0.1) return ` ${ip}`;
    return ip;
  }

  // ---------- credit profiles and loans

  private person(opts: {
    county: County;
    household?: Household;
    age: readonly [number, number];
    male?: boolean;
    marital?: Person['marital'];
    work?: Person['work'];
    weak?: boolean;
    surname?: string;
    employer?: string | null;
    mobile?: boolean;
    email?: number;
  }): Person {
    const r = this.r;
    const male = opts.male ?? r.chance(0.54);
    const age = r.int(opts.age[0], opts.age[1]);
    const birth = START - age * 365.25 * DAY - r.int(0, 364) * DAY;
    const surname = opts.surname ?? r.pick(SURNAMES);
    const given = r.pick(GIVEN) + (r.chance(0.55) ? r.pick(GIVEN) : '');
    const work =
      opts.work ??
      (age >= 62 ? (r.chance(0.65) ? 'retired' : 'self') : r.weighted<Person['work']>([['employee', 70], ['self', 22], ['none', 8]]));
    const marital = opts.marital ?? (age < 26 ? (r.chance(0.8) ? 'single' : 'married') : r.weighted<Person['marital']>([['married', 76], ['single', 14], ['divorced', 10]]));
    const household = opts.household ?? this.household(opts.county);
    const weak = opts.weak ?? r.chance(WEAK_SHARE);
    const hasMobile = opts.mobile ?? (age < 70 ? r.chance(0.97) : r.chance(0.6));
    const employer =
      opts.employer !== undefined
        ? opts.employer
        : work === 'employee'
          ? r.chance(0.22)
            ? r.pick(this.hubEmployers)
            : this.smallEmployer(opts.county)
          : work === 'self' && r.chance(0.3)
            ? `${surname} ${r.pick(['Tea Farm', 'Hardware Store', 'Trading Co.', 'Logistics Service', 'Restaurant'])}`
            : null;
    const p: Person = {
      // About one in five was born (and got their id) outside the county they live in now.
      nationalId: this.nationalId(r.chance(0.8) ? opts.county : r.pick(COUNTIES), birth, male),
      birth,
      male,
      marital,
      surname,
      given,
      household,
      mobile: hasMobile ? this.mobile() : null,
      email: r.chance(opts.email ?? (age >= 60 ? 0.25 : age >= 45 ? 0.65 : 0.9)) ? this.email(surname, given, new Date(birth).getUTCFullYear()) : null,
      employer,
      work,
      bank: this.bank(),
      device: hasMobile ? this.phoneDevice() : null,
      browser: null,
      foreign: r.chance(0.04),
      weak,
      base: this.baseProfile(age, work, weak, household),
    };
    return p;
  }

  private baseProfile(age: number, work: Person['work'], weak: boolean, hh: Household): BaseProfile {
    const r = this.r;
    const w = <T>(items: readonly (readonly [T, number])[]) => r.weighted(items);
    const years = Math.max(0, age - 18);
    let employmentDuration: string;
    if (work === 'none') employmentDuration = r.chance(0.7) ? 'unemployed' : 'lt_1';
    else if (work === 'retired') employmentDuration = r.chance(0.55) ? 'gt_7' : 'unemployed';
    else {
      employmentDuration = weak
        ? w([['lt_1', 28], ['1_to_4', 38], ['4_to_7', 14], ['gt_7', 12], ['unemployed', 8]])
        : w([['lt_1', 8], ['1_to_4', 30], ['4_to_7', 22], ['gt_7', 40]]);
      if (years < 7 && employmentDuration === 'gt_7') employmentDuration = years >= 4 ? '4_to_7' : '1_to_4';
      if (years < 4 && employmentDuration === '4_to_7') employmentDuration = '1_to_4';
    }
    const job =
      work === 'employee'
        ? w([['skilled_employee', 62], ['unskilled_resident', 22], ['management_self_emp_highly_qualified', 12], ['unemployed_unskilled', 4]])
        : work === 'self'
          ? w([['management_self_emp_highly_qualified', 50], ['skilled_employee', 30], ['unskilled_resident', 20]])
          : w([['unemployed_unskilled', 55], ['unskilled_resident', 45]]);
    const housing =
      age < 26
        ? w([['rent', 40], ['for_free', 38], ['own', 22]])
        : hh.rural
          ? w([['own', 78], ['for_free', 14], ['rent', 8]])
          : w([['own', 64], ['rent', 27], ['for_free', 9]]);
    const property =
      housing === 'own'
        ? w([['real_estate', 60], ['insurance', 17], ['car_other', 19], ['unknown', 4]])
        : housing === 'rent'
          ? w([['car_other', 36], ['insurance', 30], ['unknown', 22], ['real_estate', 12]])
          : w([['unknown', 42], ['insurance', 25], ['car_other', 20], ['real_estate', 13]]);
    return {
      checkingAccountStatus: weak
        ? w([['lt_0', 44], ['0_to_200', 38], ['none', 13], ['gt_200', 5]])
        : w([['none', 72], ['0_to_200', 12], ['lt_0', 5], ['gt_200', 11]]),
      creditHistory: weak
        ? w([['paid_duly', 48], ['delay', 13], ['no_credit_all_paid', 14], ['this_bank_all_paid', 13], ['critical', 12]])
        : w([['paid_duly', 50], ['critical', 35], ['delay', 9], ['this_bank_all_paid', 3], ['no_credit_all_paid', 3]]),
      savingsAccountBonds: weak
        ? w([['lt_100', 74], ['100_to_500', 13], ['unknown', 8], ['500_to_1000', 3], ['gt_1000', 2]])
        : w([['lt_100', 40], ['unknown', 22], ['100_to_500', 12], ['500_to_1000', 11], ['gt_1000', 15]]),
      employmentDuration,
      otherDebtorsGuarantors: w([['none', 90], ['guarantor', 5], ['co_applicant', 5]]),
      property,
      otherInstallmentPlans: weak ? w([['none', 68], ['bank', 22], ['stores', 10]]) : w([['none', 88], ['bank', 8], ['stores', 4]]),
      housing,
      job,
      residenceYears: w([[1, 13], [2, 30], [3, 15], [4, 42]]),
      existingCredits: weak ? w([[1, 55], [2, 35], [3, 7], [4, 3]]) : w([[1, 62], [2, 33], [3, 4], [4, 1]]),
      dependents: age >= 28 && age <= 58 && r.chance(0.22) ? 2 : 1,
      hasTelephone: hh.landline !== null || r.chance(0.12),
    };
  }

  private purpose(age: number, product: string): string {
    const r = this.r;
    if (product === 'micro_loan') {
      return r.weighted([['radio_television', 26], ['domestic_appliance', 10], ['repairs', 12], ['furniture_equipment', 16], ['other', 14], ['education', 8], ['business', 12], ['retraining', 2]]);
    }
    return r.weighted([
      ['radio_television', 24], ['new_car', age > 28 ? 14 : 6], ['used_car', 11], ['furniture_equipment', 18], ['business', 10],
      ['education', age < 30 || (age > 40 && age < 55) ? 7 : 2], ['repairs', 4], ['domestic_appliance', 3], ['retraining', 2], ['other', 5],
    ]);
  }

  private loan(product: string, weak: boolean, age: number, level = 1): { amount: number; termMonths: number } {
    const r = this.r;
    if (product === 'micro_loan') {
      let amount = Math.exp(Math.log(900 * level) + 0.7 * r.normal());
      amount = r.chance(0.005) ? r.int(31, 50) * 100 : Math.min(3000, Math.max(100, Math.round(amount / 50) * 50));
      let termMonths = r.weighted([[3, 15], [6, 30], [9, 8], [12, 30], [18, 7], [24, 10]]);
      if (r.chance(0.004)) termMonths = r.int(1, 2);
      if (age + termMonths / 12 > 70 && r.chance(0.92)) termMonths = 3;
      return { amount, termMonths };
    }
    let amount = Math.exp(Math.log((weak ? 5200 : 3400) * level) + 0.75 * r.normal());
    amount = amount >= 5000 ? Math.round(amount / 500) * 500 : Math.round(amount / 100) * 100;
    amount = r.chance(0.005) ? r.int(41, 50) * 500 : Math.min(20000, Math.max(500, amount));
    const terms = [6, 12, 18, 24, 36, 48, 60, 72];
    let termMonths = weak
      ? r.weighted([[6, 4], [12, 16], [18, 10], [24, 22], [36, 22], [48, 12], [60, 9], [72, 5]])
      : r.weighted([[6, 8], [12, 28], [18, 14], [24, 24], [36, 16], [48, 6], [60, 3], [72, 1]]);
    if (weak && r.chance(0.35)) termMonths = Math.max(termMonths, r.weighted([[24, 3], [36, 3], [48, 2], [60, 2], [72, 1]]));
    if (amount > 10000 && termMonths < 24) termMonths = r.pick([24, 36, 48]);
    if (r.chance(0.92)) while (age + termMonths / 12 > 75 && termMonths > 6) termMonths = terms[terms.indexOf(termMonths) - 1] ?? 6;
    return { amount, termMonths };
  }

  private applicant(p: Person, at: number, product: string, opts: { coApplicant?: boolean; drift?: boolean } = {}): Applicant {
    const r = this.r;
    const age = ageAt(p.birth, at);
    const b = p.base;
    if (opts.drift) {
      if (r.chance(0.3)) b.checkingAccountStatus = p.weak ? r.weighted([['lt_0', 4], ['0_to_200', 4], ['none', 2]]) : r.weighted([['none', 5], ['0_to_200', 3], ['gt_200', 1], ['lt_0', 1]]);
      if (r.chance(0.35)) b.existingCredits = Math.min(4, b.existingCredits + 1);
      if (b.creditHistory === 'no_credit_all_paid' && r.chance(0.6)) b.creditHistory = 'this_bank_all_paid';
      if (r.chance(0.2)) b.savingsAccountBonds = r.pick(['lt_100', '100_to_500', 'unknown', '500_to_1000']);
      b.residenceYears = Math.min(4, b.residenceYears + (r.chance(0.4) ? 1 : 0));
    }
    const personalStatusSex = p.male
      ? p.marital === 'single'
        ? 'male_single'
        : p.marital === 'married'
          ? 'male_married_widowed'
          : 'male_divorced_seperated'
      : 'female_not_single';
    const installmentRatePct = p.weak ? r.weighted([[4, 58], [3, 16], [2, 17], [1, 9]]) : r.weighted([[4, 44], [3, 17], [2, 24], [1, 15]]);
    return {
      age: Math.max(18, age),
      checkingAccountStatus: b.checkingAccountStatus,
      creditHistory: b.creditHistory,
      purpose: this.purpose(age, product),
      savingsAccountBonds: b.savingsAccountBonds,
      employmentDuration: b.employmentDuration,
      personalStatusSex,
      otherDebtorsGuarantors: opts.coApplicant ? r.weighted([['co_applicant', 6], ['none', 4]]) : b.otherDebtorsGuarantors,
      property: b.property,
      otherInstallmentPlans: b.otherInstallmentPlans,
      housing: b.housing,
      job: b.job,
      installmentRatePct,
      residenceYears: b.residenceYears,
      existingCredits: b.existingCredits,
      dependents: b.dependents,
      hasTelephone: b.hasTelephone,
      foreignWorker: p.foreign,
    };
  }

  // ---------- time

  /** A legitimate submission time on a (fractional) day: office and evening hours, quieter Sundays. */
  private legitTime(day: number, ch: Channel): number {
    const r = this.r;
    let d = Math.max(0, Math.min(SPAN_DAYS - 1, Math.floor(day)));
    const weekday = new Date(START + d * DAY + 8 * HOUR).getUTCDay();
    if (ch === 'branch' && weekday === 0) d = d >= 1 ? d - 1 : d + 1;
    const hour =
      ch === 'branch'
        ? r.weighted([[9, 14], [10, 16], [11, 14], [13, 10], [14, 14], [15, 14], [16, 10]])
        : r.weighted([[7, 2], [8, 4], [9, 6], [10, 7], [11, 7], [12, 9], [13, 7], [14, 6], [15, 6], [16, 6], [17, 6], [18, 6], [19, 8], [20, 10], [21, 10], [22, 7], [23, 3], [0, 1]]);
    return START + d * DAY + hour * HOUR + r.int(0, 3599) * 1000 + r.int(0, 999);
  }

  private uniformDay(): number {
    const r = this.r;
    for (;;) {
      const d = r.int(0, SPAN_DAYS - 1);
      const weekday = new Date(START + d * DAY + 8 * HOUR).getUTCDay();
      // Slow ramp-up of the portfolio and quieter weekends.
      if (r.chance((weekday === 0 ? 0.6 : weekday === 6 ? 0.8 : 1) * (0.8 + (0.2 * d) / SPAN_DAYS))) return d;
    }
  }

  private clampTime(t: number): number {
    return Math.max(START, Math.min(END - 1, Math.round(t)));
  }

  // ---------- emitting legitimate applications

  private channel(p: Person, at: number): Channel {
    const r = this.r;
    const age = ageAt(p.birth, at);
    const branch = age >= 60 ? 0.55 : p.household.rural ? 0.38 : 0.16;
    if (r.chance(branch)) return 'branch';
    if (!p.device) return r.chance(0.5) || !p.household.pc ? 'branch' : 'web';
    return r.chance(p.household.pc ? 0.4 : 0.2) ? 'web' : 'app';
  }

  private emitLegit(
    p: Person,
    at: number,
    kind: string,
    o: {
      channel?: Channel;
      phone?: string | null;
      device?: string | null;
      ip?: string | null;
      bank?: string | null;
      address?: string | null;
      email?: string | null;
      employer?: string | null;
      product?: string;
      coApplicant?: boolean;
      drift?: boolean;
    } = {},
  ): void {
    const r = this.r;
    const ch = o.channel ?? this.channel(p, at);
    const county = p.household.county;
    const age = ageAt(p.birth, at);
    const ids: RawIdentifiers = {};
    ids.nationalId = this.renderNationalId(p.nationalId);
    const phone = o.phone !== undefined ? o.phone : p.mobile ?? p.household.landline;
    if (phone && r.chance(0.985)) ids.phone = this.renderPhone(phone, ch);
    let device: string | null = null;
    let ip: string | null = null;
    if (ch === 'app') {
      device = p.device;
      ip = r.chance(0.58) || !p.household.homeIp ? r.pick(this.natPools[county.region]) : p.household.homeIp;
    } else if (ch === 'web') {
      if (p.household.pc && r.chance(0.7)) device = p.household.pc;
      else device = p.browser ??= this.webFingerprint();
      ip = p.household.homeIp ?? r.pick(this.natPools[county.region]);
    } else {
      const branch = r.pick(this.branches.get(county.name) ?? []);
      ip = r.chance(0.75) ? branch.ip : null;
    }
    if (o.device !== undefined) device = o.device;
    if (o.ip !== undefined) ip = o.ip;
    if (device) ids.deviceId = this.renderDevice(device);
    if (ip) ids.ip = this.renderIp(ip);
    const email = o.email !== undefined ? o.email : p.email;
    if (email && !(ch === 'branch' && r.chance(0.4))) ids.email = this.renderEmail(email);
    const address = o.address !== undefined ? o.address : p.household.address;
    if (address && r.chance(0.985)) ids.address = this.renderText(address);
    const bank = o.bank !== undefined ? o.bank : p.bank;
    if (bank && r.chance(0.96)) ids.bankAccount = this.renderBank(bank);
    const employer = o.employer !== undefined ? o.employer : p.employer;
    if (employer && r.chance(0.93)) ids.employer = this.renderEmployer(employer);
    const product = o.product ?? (r.chance(age < 30 || p.household.rural ? 0.45 : 0.3) ? 'micro_loan' : 'personal_loan');
    const { amount, termMonths } = this.loan(product, p.weak, age);
    this.drafts.push({
      at: this.clampTime(at),
      seq: this.seq++,
      product,
      region: county.region,
      amount,
      termMonths,
      applicant: this.applicant(p, at, product, { coApplicant: o.coApplicant ?? false, drift: o.drift ?? false }),
      identifiers: ids,
      ring: null,
      kind,
    });
    this.legitCount.set(kind, (this.legitCount.get(kind) ?? 0) + 1);
  }

  private count(kind: string): number {
    return this.legitCount.get(kind) ?? 0;
  }

  // ---------- legitimate structures

  private single(): void {
    const r = this.r;
    const county = r.pick(COUNTIES);
    const p = this.person({ county, age: [r.chance(0.1) ? 19 : 21, r.chance(0.12) ? 74 : 62] });
    this.exposed.push(p);
    const day = this.uniformDay();
    const at = this.legitTime(day, this.channel(p, START + day * DAY));
    this.emitLegit(p, at, 'single');
  }

  private repeatApplicant(): void {
    const r = this.r;
    const county = r.pick(COUNTIES);
    const p = this.person({ county, age: [22, 66] });
    this.exposed.push(p);
    let k = r.weighted([[2, 55], [3, 33], [4, 12]]);
    const gaps: number[] = [];
    for (let i = 1; i < k; i++) gaps.push(r.int(28, 85));
    while (gaps.reduce((a, b) => a + b, 0) > SPAN_DAYS - 5) {
      gaps.pop();
      k--;
    }
    let day = r.int(0, SPAN_DAYS - 1 - gaps.reduce((a, b) => a + b, 0));
    for (let i = 0; i < k; i++) {
      if (i > 0) {
        day += gaps[i - 1] ?? 30;
        // Between applications people change phones, handsets, accounts, occasionally move house.
        if (r.chance(0.1)) p.mobile = this.mobile();
        if (r.chance(0.3)) p.device = this.phoneDevice();
        if (r.chance(0.1)) p.bank = this.bank();
        if (r.chance(0.07)) p.household = this.household(county);
        if (r.chance(0.05) && p.work === 'employee') p.employer = this.smallEmployer(county);
        if (!p.email && r.chance(0.2)) p.email = this.email(p.surname, p.given, new Date(p.birth).getUTCFullYear());
      }
      const ch = this.channel(p, START + day * DAY);
      this.emitLegit(p, this.legitTime(day, ch), 'repeat-applicant', { channel: ch, drift: i > 0 });
    }
  }

  private multiGenerationFamily(): void {
    const r = this.r;
    const kind = 'multi-generation-family';
    const county = r.pick(COUNTIES.filter((c) => !c.urban));
    const townCounty = r.chance(0.6) ? county : r.pick(COUNTIES.filter((c) => c.urban));
    const surname = r.pick(SURNAMES);
    const n = r.weighted([[3, 22], [4, 28], [5, 24], [6, 16], [7, 10]]);
    const nHouses = n >= 5 ? r.weighted([[2, 45], [3, 55]]) : r.weighted([[2, 75], [3, 25]]);
    const oldHouse = this.household(county, { rural: true, landline: 0.8, pc: 0.15 });
    const houses: Household[] = [oldHouse, this.household(townCounty, { rural: false, pc: 0.7 })];
    if (nHouses === 3) houses.push(this.household(r.chance(0.5) ? townCounty : r.pick(COUNTIES), { rural: false, pc: 0.3, landline: 0.1 }));
    const pcHouse = houses.find((h) => h.pc) ?? null;
    const homePc = pcHouse?.pc ?? null;
    const jointAccount = this.bank();
    const familyBusiness = r.chance(0.3) ? `${surname} Family ${r.pick(['Tea Farm', 'Hardware Store', 'Bamboo Workshop', 'Restaurant', 'Orchard'])}` : null;
    const members: { p: Person; house: Household; elder: boolean }[] = [];
    const elders = Math.min(n - 1, r.weighted([[1, 35], [2, 65]]));
    for (let i = 0; i < n; i++) {
      const elder = i < elders;
      const house = elder ? oldHouse : houses[1 + ((i - elders) % (houses.length - 1))] ?? oldHouse;
      const middle = !elder && i < elders + Math.max(1, Math.ceil((n - elders) / 2));
      const age: [number, number] = elder ? [60, 76] : middle ? [34, 56] : [19, 32];
      const p = this.person({
        county: house.county,
        household: house,
        age,
        male: elder ? i % 2 === 0 : undefined,
        marital: elder ? 'married' : undefined,
        surname: elder || r.chance(0.6) ? surname : undefined,
        mobile: elder ? r.chance(0.35) : true,
        employer: familyBusiness && !elder && r.chance(0.6) ? familyBusiness : undefined,
        work: familyBusiness && !elder && r.chance(0.5) ? 'self' : undefined,
      });
      members.push({ p, house, elder });
    }
    // Family phones: the old house's landline and a son's or daughter's mobile the elders give too.
    const carer = members.find((m) => !m.elder && m.p.mobile)?.p;
    const familyPhones = [oldHouse.landline ?? this.landline(county), carer?.mobile ?? this.mobile()];
    const carerDevice = carer?.device ?? null;
    // The joint account is held by several members (at least two); the rest use their own.
    const holders = new Set<number>();
    const nHolders = Math.min(n, r.int(2, 4));
    for (const i of r.shuffle([...members.keys()]).slice(0, nHolders)) holders.add(i);
    // Timing: one member applies, the others follow over weeks (or spread across the period).
    const clustered = r.chance(0.45);
    const firstDay = r.int(0, clustered ? SPAN_DAYS - 40 : SPAN_DAYS - 1);
    members.forEach(({ p, elder }, i) => {
      const day = clustered ? firstDay + (i === 0 ? 0 : r.int(0, 35)) : this.uniformDay();
      let ch = this.channel(p, START + day * DAY);
      const phone = elder || !p.mobile ? (r.chance(0.6) ? familyPhones[1] : familyPhones[0]) : p === carer || r.chance(0.15) ? r.pick(familyPhones) : p.mobile;
      let device: string | null | undefined;
      let ip: string | null | undefined;
      if (ch === 'web' && homePc && r.chance(0.75)) device = homePc;
      // Elders who do not go to the branch apply on the home PC or on the carer's handset.
      if (ch !== 'branch' && elder) {
        if (homePc && r.chance(0.6)) {
          ch = 'web';
          device = homePc;
        } else if (carerDevice) {
          ch = 'app';
          device = carerDevice;
        } else ch = 'branch';
      }
      if (device && device === homePc) ip = pcHouse?.homeIp ?? undefined;
      this.emitLegit(p, this.legitTime(day, ch), kind, {
        channel: ch,
        phone: phone ?? null,
        bank: holders.has(i) ? jointAccount : p.bank,
        ...(device !== undefined ? { device } : {}),
        ...(ip !== undefined ? { ip } : {}),
      });
    });
  }

  private jointAccountCouple(): void {
    const r = this.r;
    const kind = 'joint-account-couple';
    const county = r.pick(COUNTIES);
    const house = this.household(county, { landline: 1, pc: 0.45 });
    const home = house.landline ?? this.landline(county);
    const age = r.int(25, 62);
    const weak = r.chance(WEAK_SHARE);
    const him = this.person({ county, household: house, age: [age, age + r.int(0, 4)], male: true, marital: 'married', weak });
    const her = this.person({ county, household: house, age: [Math.max(21, age - r.int(0, 5)), age + 1], male: false, marital: 'married', weak: r.chance(0.5) ? weak : undefined });
    const joint = this.bank();
    const day = this.uniformDay();
    const together = r.chance(0.55);
    const ch = this.channel(him, START + day * DAY);
    const t0 = this.legitTime(day, ch);
    const sharedDevice = together && ch !== 'branch' ? (ch === 'web' ? house.pc ?? him.device : him.device) : undefined;
    const [first, second] = r.chance(0.5) ? [him, her] : [her, him];
    const phoneFor = (p: Person) => (r.chance(0.85) ? home : p.mobile ?? home);
    this.emitLegit(first, t0, kind, { channel: ch, phone: phoneFor(first), bank: joint, coApplicant: true, ...(sharedDevice ? { device: sharedDevice } : {}) });
    const t1 = together ? t0 + r.int(3, 40) * 60_000 : this.legitTime(day + r.int(0, 3), ch);
    const ch2 = together ? ch : this.channel(second, t1);
    this.emitLegit(second, t1, kind, { channel: ch2, phone: phoneFor(second), bank: joint, coApplicant: true, ...(sharedDevice ? { device: sharedDevice } : {}) });
  }

  private companyPhonePool(remaining: number): void {
    const r = this.r;
    const kind = 'company-phone-pool';
    const county = r.pick(COUNTIES);
    const employer = this.companyName(county);
    const n = Math.min(Math.max(5, remaining), r.int(5, r.chance(0.3) ? 20 : 12));
    const pool: string[] = [];
    const poolSize = Math.max(2, Math.min(5, Math.round(n / r.int(3, 5))));
    for (let i = 0; i < poolSize; i++) pool.push(r.chance(0.4) ? this.landline(county) : this.mobile());
    const officeIp = this.homeIp();
    const officePcs = [this.webFingerprint(), this.webFingerprint()];
    const promoStart = r.int(0, SPAN_DAYS - 15);
    const weighted = pool.map((ph, i) => [ph, i === 0 ? 3 : 1] as const);
    for (let i = 0; i < n; i++) {
      const homeCounty = r.chance(0.75) ? county : r.pick(COUNTIES);
      const p = this.person({ county: homeCounty, age: [21, 58], work: 'employee', employer, email: 0.75 });
      if (p.email && r.chance(0.4)) p.email = this.unique('email', () => `${p.given}.${p.surname.toLowerCase()}${r.chance(0.3) ? r.int(1, 9) : ''}@${employer.split(' ')[1]?.toLowerCase() ?? 'corp'}${r.pick(['', 'group'])}.com`);
      const day = r.chance(0.55) ? promoStart + r.int(0, 14) : this.uniformDay();
      let ch = this.channel(p, START + day * DAY);
      let device: string | undefined;
      let ip: string | undefined;
      if (ch !== 'branch' && r.chance(0.3)) {
        ch = 'web';
        device = r.pick(officePcs);
        ip = officeIp;
      }
      const phone = r.chance(0.85) ? r.weighted(weighted) : p.mobile ?? r.weighted(weighted);
      this.emitLegit(p, this.legitTime(day, ch), kind, { channel: ch, phone, ...(device ? { device, ip } : {}) });
    }
  }

  private village(remaining: number): void {
    const r = this.r;
    const kind = 'village-address';
    const county = r.pick(COUNTIES.filter((c) => !c.urban));
    const town = r.pick(county.towns);
    const address = this.unique('addr', () => `${this.placeName()} Village, ${town} Town, ${county.name}`);
    const committee = this.landline(county);
    const v = { county, address, committee, branchIp: this.branches.get(county.name)?.[0]?.ip ?? null };
    this.villages.push(v);
    const n = Math.min(Math.max(10, remaining), r.int(10, r.chance(0.35) ? 40 : 24));
    const officerTablet = this.android();
    const officerNat = r.pick(this.natPools[county.region]);
    const campaignDay = r.int(0, SPAN_DAYS - 8);
    const coop = r.chance(0.5) ? `${address.split(' ')[0]} Village ${r.pick(['Tea', 'Bamboo', 'Fruit', 'Mushroom'])} Cooperative` : null;
    for (let i = 0; i < n; i++) {
      const house = this.household(county, { rural: true, landline: 0.3, pc: 0.08 });
      const p = this.person({
        county,
        household: { ...house, address },
        age: [r.chance(0.2) ? 20 : 28, 74],
        work: r.weighted<Person['work']>([['self', 55], ['employee', 30], ['retired', 10], ['none', 5]]),
        employer: coop && r.chance(0.35) ? coop : undefined,
        email: 0.3,
      });
      const campaign = r.chance(0.45);
      const day = campaign ? campaignDay + r.int(0, 6) : this.uniformDay();
      // A loan officer's field visit: applications keyed in on the officer's tablet over mobile data.
      const ch: Channel = campaign ? 'app' : this.channel(p, START + day * DAY);
      const phone = !p.mobile || r.chance(0.08) ? committee : p.mobile;
      this.emitLegit(p, this.legitTime(day, campaign ? 'branch' : ch), kind, {
        channel: ch,
        phone,
        ...(campaign ? { device: officerTablet, ip: r.chance(0.7) ? officerNat : r.pick(this.natPools[county.region]) } : {}),
      });
    }
  }

  // ---------- fraud rings

  private ringDraft(ringId: string, shape: RingShape, at: number, id: {
    nationalId: string;
    birth: number;
    male: boolean;
    county: County;
    phone: string | null;
    device: string | null;
    ip: string | null;
    email: string | null;
    address: string | null;
    bank: string | null;
    employer: string | null;
    weak: boolean;
    level: number;
    microShare: number;
  }): void {
    const r = this.r;
    const t = this.clampTime(at);
    const age = ageAt(id.birth, t);
    // Only for the credit profile: whether the applicant claims a registered telephone.
    const hh: Household = { county: id.county, address: id.address ?? '', homeIp: null, landline: r.chance(0.3) ? 'claimed' : null, pc: null, rural: false };
    const work = age >= 62 ? 'retired' : r.weighted<Person['work']>([['employee', 75], ['self', 20], ['none', 5]]);
    const p: Person = {
      nationalId: id.nationalId,
      birth: id.birth,
      male: id.male,
      marital: age < 26 ? 'single' : r.weighted<Person['marital']>([['married', 70], ['single', 20], ['divorced', 10]]),
      surname: '',
      given: '',
      household: hh,
      mobile: id.phone,
      email: id.email,
      employer: id.employer,
      work,
      bank: id.bank ?? '',
      device: id.device,
      browser: null,
      foreign: r.chance(0.04),
      weak: id.weak,
      base: this.baseProfile(age, work, id.weak, hh),
    };
    const ch: Channel = id.device ? (id.device.startsWith('fp-') ? 'web' : 'app') : 'web';
    const ids: RawIdentifiers = { nationalId: this.renderNationalId(id.nationalId) };
    if (id.phone) ids.phone = this.renderPhone(id.phone, ch);
    if (id.device) ids.deviceId = this.renderDevice(id.device);
    if (id.ip) ids.ip = this.renderIp(id.ip);
    if (id.email) ids.email = this.renderEmail(id.email);
    if (id.address) ids.address = this.renderText(id.address);
    if (id.bank) ids.bankAccount = this.renderBank(id.bank);
    if (id.employer) ids.employer = this.renderEmployer(id.employer);
    const product = r.chance(id.microShare) ? 'micro_loan' : 'personal_loan';
    const { amount, termMonths } = this.loan(product, id.weak, age, id.level);
    this.drafts.push({
      at: t,
      seq: this.seq++,
      product,
      region: id.county.region,
      amount,
      termMonths,
      applicant: this.applicant(p, t, product),
      identifiers: ids,
      ring: ringId,
      kind: shape,
    });
  }

  /** Ring submission times: evenings and nights weigh more than for legitimate applicants. */
  private ringClock(dayFloat: number): number {
    const r = this.r;
    const d = Math.floor(dayFloat);
    const hour = r.weighted([[0, 5], [1, 4], [2, 3], [3, 2], [8, 2], [9, 4], [10, 5], [11, 5], [13, 4], [14, 5], [15, 5], [16, 5], [19, 5], [20, 6], [21, 6], [22, 6], [23, 6]]);
    return START + d * DAY + hour * HOUR + r.int(0, 3599) * 1000 + r.int(0, 999);
  }

  /** A few camouflage touches shared by all ring shapes. */
  private camo(level: number) {
    const r = this.r;
    return {
      employer: (county: County): string | null =>
        r.chance(0.25 * level + 0.1) ? r.pick(this.hubEmployers) : r.chance(0.6) ? this.companyName(county) : null,
      ip: (county: County, own: () => string): string => (r.chance(0.2 + 0.35 * level) ? r.pick(this.natPools[county.region]) : own()),
    };
  }

  private randomBirth(lo: number, hi: number): number {
    return START - this.r.int(lo, hi) * 365.25 * DAY - this.r.int(0, 364) * DAY;
  }

  private stolenIdentity(ringId: string, n: number): void {
    const r = this.r;
    const shape: RingShape = 'stolen-identity';
    const camo = this.camo(r.next());
    const k = Math.max(2, Math.min(5, Math.round(n / (2.5 + 2 * r.next()))));
    // Victims: people whose identity documents leaked. Sometimes one is a real applicant in this portfolio.
    const victims: { nationalId: string; birth: number; male: boolean; county: County; address: string; employer: string | null }[] = [];
    for (let i = 0; i < k; i++) {
      const real = i === 0 && this.exposed.length > 0 && r.chance(0.4) ? r.pick(this.exposed) : null;
      if (real) {
        victims.push({ nationalId: real.nationalId, birth: real.birth, male: real.male, county: real.household.county, address: real.household.address, employer: real.employer });
      } else {
        const county = r.pick(COUNTIES);
        const birth = this.randomBirth(24, 58);
        const male = r.chance(0.55);
        victims.push({ nationalId: this.nationalId(county, birth, male), birth, male, county, address: county.urban || r.chance(0.5) ? this.urbanAddress(county) : this.ruralAddress(county), employer: camo.employer(county) });
      }
    }
    const payouts: string[] = [];
    for (let i = 0, m = r.weighted([[1, 30], [2, 45], [3, 25]]); i < m; i++) payouts.push(this.bank());
    const drop = this.urbanAddress(r.pick(COUNTIES));
    const level = 1 + r.next();
    const microShare = r.next() * 0.6;
    const weak = r.chance(0.5) ? RING_WEAK_SHARE : 0.1;
    // Bursts: one or two short windows, sometimes a slower drip.
    const bursts = r.weighted([[1, 50], [2, 35], [3, 15]]);
    const burstStarts: number[] = [];
    const first = r.int(3, SPAN_DAYS - 30);
    for (let b = 0; b < bursts; b++) burstStarts.push(Math.min(SPAN_DAYS - 4, first + b * r.int(4, 20)));
    const width = r.chance(0.7) ? 0.5 + r.next() * 2.5 : 6 + r.next() * 10;
    let reusedPhone: string | null = null;
    let reusedDevice: string | null = null;
    for (let j = 0; j < n; j++) {
      const v = victims[j % k] ?? victims[0]!;
      const day = r.pick(burstStarts) + r.next() * width;
      const phone: string = reusedPhone && r.chance(0.15) ? reusedPhone : this.mobile();
      reusedPhone = phone;
      const device: string = reusedDevice && r.chance(0.12) ? reusedDevice : r.chance(0.8) ? this.phoneDevice() : this.webFingerprint();
      reusedDevice = device;
      this.ringDraft(ringId, shape, this.ringClock(day), {
        nationalId: v.nationalId,
        birth: v.birth,
        male: v.male,
        county: v.county,
        phone,
        device,
        ip: camo.ip(v.county, () => this.proxyIp()),
        email: r.chance(0.92) ? this.randomEmail() : null,
        address: r.chance(0.7) ? v.address : drop,
        // The main mule account receives at least one payout for every stolen identity.
        bank: j < k ? payouts[0] ?? null : r.chance(0.97) ? r.pick(payouts) : this.bank(),
        employer: r.chance(0.6) ? v.employer : null,
        weak: r.chance(weak),
        level,
        microShare,
      });
    }
  }

  private syntheticIdentity(ringId: string, n: number): void {
    const r = this.r;
    const shape: RingShape = 'synthetic-identity';
    const camo = this.camo(r.next());
    const phones: string[] = [];
    for (let i = 0, m = Math.max(2, Math.round(n / (2.5 + 2.5 * r.next()))); i < m; i++) phones.push(this.mobile());
    const devices: string[] = [];
    for (let i = 0, m = Math.max(1, Math.min(4, Math.round(n / (4 + 5 * r.next())))); i < m; i++) devices.push(r.chance(0.7) ? this.android() : this.webFingerprint());
    const drops: string[] = [];
    for (let i = 0, m = Math.max(2, Math.round(n / (2.5 + 2 * r.next()))); i < m; i++) {
      // Mail drops: rented rooms, parcel points, shop fronts. Now and then a village address used as a drop.
      if (i === 0 && this.villages.length > 0 && r.chance(0.3)) drops.push(r.pick(this.villages).address);
      else {
        const c = r.pick(COUNTIES);
        drops.push(r.chance(0.5) ? this.urbanAddress(c) : this.unique('addr', () => `No. ${r.int(1, 300)} ${r.pick(ROADS)} Road Shop ${r.int(1, 40)}, ${r.pick(c.towns)} Town, ${c.name}`));
      }
    }
    const ips: string[] = [];
    for (let i = 0, m = r.int(1, 4); i < m; i++) ips.push(r.chance(0.5) ? this.homeIp() : this.proxyIp());
    const shells: string[] = [];
    for (let i = 0, m = r.int(1, 3); i < m; i++) shells.push(this.companyName(r.pick(COUNTIES)));
    const sharedBanks: string[] = [this.bank()];
    const county = r.pick(COUNTIES);
    const level = 0.9 + r.next() * 0.7;
    const microShare = 0.2 + r.next() * 0.6;
    // Incubation: identities apply slowly over weeks, then many bust out together.
    const incubation = r.int(15, 70);
    const start = r.int(0, Math.max(0, SPAN_DAYS - incubation - 5));
    const bustShare = r.next() * 0.7;
    const order = r.shuffle([...Array(n).keys()]);
    for (let j = 0; j < n; j++) {
      const c = r.chance(0.7) ? county : r.pick(COUNTIES);
      const birth = this.randomBirth(22, 44);
      const male = r.chance(0.6);
      const bust = j >= n * (1 - bustShare);
      const day = bust ? start + incubation + r.next() * 3 : start + r.next() * incubation;
      const slot = order[j] ?? j;
      this.ringDraft(ringId, shape, this.ringClock(day), {
        nationalId: this.nationalId(c, birth, male),
        birth,
        male,
        county: c,
        phone: phones[slot % phones.length] ?? r.pick(phones),
        device: r.chance(0.9) ? r.pick(devices) : this.phoneDevice(),
        ip: camo.ip(c, () => r.pick(ips)),
        email: this.randomEmail(),
        address: drops[slot % drops.length] ?? r.pick(drops),
        bank: r.chance(0.2) ? r.pick(sharedBanks) : this.bank(),
        employer: r.chance(0.55) ? r.pick(shells) : camo.employer(c),
        weak: r.chance(RING_WEAK_SHARE),
        level,
        microShare,
      });
    }
  }

  private phoneChain(ringId: string, n: number): void {
    const r = this.r;
    const shape: RingShape = 'phone-chain';
    const camo = this.camo(r.next());
    // Member k shares a phone with member k+1 when k is odd, and a device with member k+2 when
    // k mod 4 is 0 or 1: 0-2-1-3-4-6-5-7-8-… is one long thin path, every member on at most two links.
    const phones: string[] = [];
    const devices: string[] = [];
    for (let i = 0; i <= n / 2 + 1; i++) phones.push(this.mobile());
    for (let i = 0; i <= n / 2 + 1; i++) devices.push(r.chance(0.75) ? this.phoneDevice() : this.webFingerprint());
    // Sometimes the chain borrows a real customer's phone number (bought data) at its first link.
    if (this.exposed.length > 0 && r.chance(0.3)) {
      const victim = r.pick(this.exposed);
      if (victim.mobile) phones[0] = victim.mobile;
    }
    const county = r.pick(COUNTIES);
    const level = 1 + r.next();
    const microShare = 0.3 + r.next() * 0.5;
    const gap = 0.3 + r.next() * 3.5;
    const span = Math.min(SPAN_DAYS - 2, n * gap);
    let day = r.next() * (SPAN_DAYS - 1 - span);
    const extraLink = r.chance(0.35) && n >= 10 ? this.bank() : null;
    const extraAt = [r.int(0, Math.floor(n / 2)), 0];
    extraAt[1] = Math.min(n - 1, (extraAt[0] ?? 0) + r.int(5, 8));
    for (let k = 0; k < n; k++) {
      const c = r.chance(0.6) ? county : r.pick(COUNTIES);
      const birth = this.randomBirth(21, 50);
      const male = r.chance(0.6);
      const phone = phones[Math.floor((k + 1) / 2)] ?? this.mobile();
      // With n = 4m+2 the last member would have no partner two ahead: it shares the previous member's device.
      const slot = k === n - 1 && k % 4 === 1 ? k - 1 : k;
      const device = devices[2 * Math.floor(slot / 4) + (slot % 2)] ?? this.phoneDevice();
      this.ringDraft(ringId, shape, this.ringClock(day), {
        nationalId: this.nationalId(c, birth, male),
        birth,
        male,
        county: c,
        phone,
        device,
        ip: camo.ip(c, () => (r.chance(0.5) ? this.homeIp() : this.proxyIp())),
        email: r.chance(0.85) ? this.email(r.pick(SURNAMES), r.pick(GIVEN), new Date(birth).getUTCFullYear()) : null,
        address: r.chance(0.95) ? (c.urban || r.chance(0.5) ? this.urbanAddress(c) : this.ruralAddress(c)) : null,
        bank: extraLink && extraAt.includes(k) ? extraLink : this.bank(),
        employer: camo.employer(c),
        weak: r.chance(RING_WEAK_SHARE),
        level,
        microShare,
      });
      day = Math.min(SPAN_DAYS - 0.01, day + gap * (0.3 + 1.4 * r.next()));
    }
  }

  // ---------- the whole population

  build(): Draft[] {
    const r = this.r;
    const ringTarget = Math.round(this.size * (RING_SHARE + (r.next() - 0.5) * 0.012));
    const legitTarget = this.size - ringTarget;

    // Legitimate structures first (rings borrow their hubs and people). Structures are interleaved
    // so every one sees the same identifier pools.
    const structures = Object.keys(LEGIT_SHARES);
    const targets = new Map(structures.map((s) => [s, Math.round((LEGIT_SHARES[s] ?? 0) * legitTarget)]));
    const total = () => this.drafts.length;
    const structuredShare = Object.values(LEGIT_SHARES).reduce((a, b) => a + b, 0);
    for (;;) {
      const open = structures.filter((s) => this.count(s) < (targets.get(s) ?? 0));
      if (open.length === 0 || total() >= legitTarget) break;
      const s = r.pick(open);
      const left = (targets.get(s) ?? 0) - this.count(s);
      if (s === 'repeat-applicant') this.repeatApplicant();
      else if (s === 'multi-generation-family') this.multiGenerationFamily();
      else if (s === 'joint-account-couple') this.jointAccountCouple();
      else if (s === 'company-phone-pool') this.companyPhonePool(left);
      else this.village(left);
      // Singles in proportion as we go.
      const singlesDue = Math.round(((total() - this.count('single')) * (1 - structuredShare)) / structuredShare) - this.count('single');
      for (let i = 0; i < singlesDue && total() < legitTarget; i++) this.single();
    }
    while (total() < legitTarget) this.single();

    // Fraud rings: two of every shape first (when the budget allows), then shapes at random.
    const sizeOf = (shape: RingShape) =>
      shape === 'stolen-identity'
        ? 4 + Math.floor(14 * r.next() ** 1.4)
        : shape === 'synthetic-identity'
          ? 5 + Math.floor(26 * r.next() ** 1.6)
          : 6 + Math.floor(19 * r.next() ** 1.3);
    const plan: { shape: RingShape; n: number }[] = [];
    let left = ringTarget;
    const mandatory = r.shuffle([...RING_SHAPES, ...RING_SHAPES]);
    const m = Math.min(mandatory.length, Math.floor(left / 4));
    for (let i = 0; i < m; i++) {
      const shape = mandatory[i] ?? 'phone-chain';
      const n = Math.max(4, Math.min(sizeOf(shape), left - 4 * (m - i - 1)));
      plan.push({ shape, n });
      left -= n;
    }
    while (left >= 4) {
      const shape = r.pick(RING_SHAPES);
      let n = Math.min(sizeOf(shape), left);
      if (left - n > 0 && left - n < 4) n = Math.min(30, left);
      if (left - n > 0 && left - n < 4) n = left - 4;
      plan.push({ shape, n });
      left -= n;
    }
    plan.forEach(({ shape, n }, i) => {
      const ringId = `family-ring-${String(i + 1).padStart(2, '0')}`;
      if (shape === 'stolen-identity') this.stolenIdentity(ringId, n);
      else if (shape === 'synthetic-identity') this.syntheticIdentity(ringId, n);
      else this.phoneChain(ringId, n);
    });
    return this.drafts;
  }
}

function yyyymmdd(t: number): string {
  const d = new Date(t + 8 * HOUR);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

export const generator: PopulationGenerator = {
  name: 'family',
  ringShapes: RING_SHAPES,
  legitimateStructures: LEGIT_STRUCTURES,
  generate({ seed, size = 3000 }) {
    const n = Math.max(50, Math.round(size));
    const drafts = new FamilyPopulation(seed, n).build();
    drafts.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const members: PopulationMember[] = drafts.map((d, i) => {
      const application: Application = {
        applicationId: `FAM-${yyyymmdd(d.at)}-${String(i + 1).padStart(6, '0')}`,
        product: d.product,
        region: d.region,
        amount: d.amount,
        termMonths: d.termMonths,
        applicant: d.applicant,
        identifiers: d.identifiers,
      };
      return { application, submittedAt: d.at, ring: d.ring, kind: d.kind };
    });
    return { generator: 'family', seed, members };
  },
};
