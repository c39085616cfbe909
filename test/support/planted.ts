// The planted population the investigator tests and the console's browser tests decide: a ring of
// eight sharing (trivial variants of) two devices and bank accounts, a household of three at one
// address and phone written three ways, and five unrelated applicants sharing only common
// identifiers (an IP, an employer) that become hubs.
import type { RawIdentifiers } from '../../src/identity/identifiers';

export const RING_IDS = Array.from({ length: 8 }, (_, k) => `RING-${k}`);
export const HOUSEHOLD_IDS = ['HOME-0', 'HOME-1', 'HOME-2'];
export const LONE_IDS = Array.from({ length: 5 }, (_, i) => `LONE-${i}`);

/** Ring member k: trivial variants of the same device and account, which normalisation links. */
export const ringMember = (k: number): RawIdentifiers => ({
  deviceId: k % 2 ? ` DEV-RING-000${k % 2} ` : `dev-ring-000${k % 2}`,
  bankAccount: k % 3 === 0 ? 'GB29 NWBK 6016 1331 9268 1' : k % 3 === 1 ? 'gb29nwbk60161331926812' : 'GB29-NWBK-6016-1331-9268-13',
  nationalId: `11010519900101${String(k).padStart(4, '0')}`,
  email: `ring.member${k}@example.net`,
  phone: `+86 139 0000 11${k}${k}`,
  address: `${k + 1} Mill Lane, Unit ${k}`,
});

const HOUSEHOLD_ADDRESSES = ['12 Elm Street, Flat 3', '12  elm street flat 3', '12 ELM STREET FLAT 3.'];
const HOUSEHOLD_PHONES = ['+86 10 6552 1234', '010-65521234', '0086 10 6552 1234'];

export const householdMember = (k: number): RawIdentifiers => ({
  address: HOUSEHOLD_ADDRESSES[k] as string,
  phone: HOUSEHOLD_PHONES[k] as string,
  nationalId: `22010519800101${k}000`,
  email: `family${k}@example.org`,
});

export const loneApplicant = (i: number): RawIdentifiers => ({ nationalId: `33010519700101${i}000`, email: `lone${i}@example.com`, ip: '100.64.0.1', employer: 'Big Employer Ltd' });
