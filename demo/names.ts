import { Nation } from './places';
import { Rng } from './prng';

const SURNAMES_EW = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson',
  'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall',
  'Lewis', 'Harris', 'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill',
  'Ward', 'Morris', 'Moore', 'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen',
  'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths',
  'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy',
  'Miller', 'Cox', 'Richards', 'Khan', 'Marshall', 'Anderson', 'Simpson', 'Ellis', 'Adams', 'Singh',
  'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell', 'Webb', 'Rogers', 'Gray', 'Mason', 'Ali',
  'Hunt', 'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer', 'Holmes', 'Mills', 'Barnes', 'Knight',
  'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens', 'Jenkins', 'Murray', 'Dixon', 'Harvey',
  "O'Brien", 'Fletcher', 'Gibson', 'Pearce', 'Atkinson', 'Howard', 'Hancock', 'Sutcliffe', 'Pritchard', 'Lockwood',
];

const SURNAMES_SCO = [
  'Smith', 'Brown', 'Wilson', 'Campbell', 'Stewart', 'Thomson', 'Robertson', 'Anderson', 'Macdonald', 'Scott',
  'Reid', 'Murray', 'Taylor', 'Clark', 'Ross', 'Watson', 'Morrison', 'Paterson', 'Young', 'Mitchell',
  'Walker', 'Fraser', 'Miller', 'McLean', 'Gray', 'Henderson', 'Hamilton', 'Johnston', 'Duncan', 'Graham',
  'Ferguson', 'Kerr', 'Davidson', 'Bell', 'Cameron', 'Kelly', 'Martin', 'Hunter', 'Allan', 'MacKenzie',
  'Grant', 'Simpson', 'MacLeod', 'Black', 'McKenzie', 'Wallace', 'Gibson', 'Sutherland', 'Baird', 'Drummond',
];

const MALE = [
  'John', 'David', 'Michael', 'Peter', 'Robert', 'William', 'James', 'Brian', 'Alan', 'Anthony',
  'Kenneth', 'Roy', 'Ronald', 'Derek', 'Keith', 'Terence', 'Raymond', 'Dennis', 'George', 'Frank',
  'Leslie', 'Colin', 'Barry', 'Graham', 'Malcolm', 'Geoffrey', 'Norman', 'Stanley', 'Arthur', 'Harold',
  'Gordon', 'Trevor', 'Edward', 'Thomas', 'Richard', 'Christopher', 'Roger', 'Patrick', 'Alexander', 'Ian',
  'Douglas', 'Stephen', 'Bernard', 'Eric', 'Donald', 'Albert', 'Charles', 'Hugh', 'Kevin', 'Mohammed',
];

const FEMALE = [
  'Margaret', 'Patricia', 'Jean', 'Mary', 'Joan', 'Barbara', 'Sheila', 'Dorothy', 'Joyce', 'Brenda',
  'Irene', 'Betty', 'Doreen', 'Maureen', 'Eileen', 'Kathleen', 'Valerie', 'Elizabeth', 'Ann', 'Susan',
  'Christine', 'Pauline', 'Shirley', 'Sandra', 'Janet', 'Sylvia', 'Audrey', 'Marjorie', 'Elsie', 'Edna',
  'Hilda', 'Rita', 'Marion', 'Helen', 'Agnes', 'Isobel', 'Evelyn', 'Gladys', 'Winifred', 'Rose',
];

export function surname(rng: Rng, nation: Nation): string {
  return rng.pick(nation === 'SCO' ? SURNAMES_SCO : SURNAMES_EW);
}

/** Forenames as a register records them: one in three people have a middle name. */
export function givenNames(rng: Rng, sex: 'M' | 'F'): string {
  const pool = sex === 'M' ? MALE : FEMALE;
  const first = rng.pick(pool);
  if (!rng.chance(1 / 3)) return first;
  const middle = rng.pick(pool.filter((n) => n !== first));
  return `${first} ${middle}`;
}

/** Another forename of the same sex, for namesakes that share only surname and birth year. */
export function otherGivenName(rng: Rng, sex: 'M' | 'F', not: string): string {
  const firstOf = not.split(' ')[0];
  return rng.pick((sex === 'M' ? MALE : FEMALE).filter((n) => n !== firstOf));
}

/** A plausible clerical misspelling of a surname: a doubled or dropped letter, or a common variant. */
const VARIANTS: Record<string, string> = {
  Thompson: 'Thomson', Thomson: 'Thompson', Macdonald: 'McDonald', McLean: 'MacLean', Clarke: 'Clark',
  Clark: 'Clarke', MacKenzie: 'McKenzie', Davies: 'Davis', Davis: 'Davies', Philips: 'Phillips',
  Phillips: 'Philips', Griffiths: 'Griffith', Stevens: 'Stephens', Matthews: 'Mathews', Johnston: 'Johnstone',
  Robertson: 'Roberston', Paterson: 'Patterson', Henderson: 'Hendersen', Stewart: 'Stuart', Reid: 'Reed',
  Anderson: 'Andersen', Morrison: 'Morison', Fraser: 'Frazer', Hamilton: 'Hamiltion', Grant: 'Grannt',
};

/** Whether a surname has a spelling variant a registrar might write instead. */
export const hasVariant = (name: string): boolean => name in VARIANTS;

export function misspell(name: string, rng: Rng): string {
  if (VARIANTS[name]) return VARIANTS[name];
  // Drop one inner letter: "Robertson" -> "Roberson"; the first letter is kept, as blocking relies on it.
  const i = rng.int(1, name.length - 2);
  return `${name.slice(0, i)}${name.slice(i + 1)}`;
}
