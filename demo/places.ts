import { Rng } from './prng';

export type Nation = 'EW' | 'SCO';
export type Region = 'London' | 'South' | 'Midlands' | 'North' | 'Wales' | 'Scotland';

export interface Site {
  code: string;
  name: string;
  nation: Nation;
  /** Relative recruitment: the lead centre recruited most. */
  weight: number;
  /** Postcode districts of the site's catchment. */
  districts: readonly string[];
}

/** Seventeen UK cardiac centres: fifteen in England and Wales (ONS), two in Scotland (NRS). */
export const SITES: readonly Site[] = [
  {
    code: 'KCH',
    name: "King's College Hospital, London",
    nation: 'EW',
    weight: 40,
    districts: ['SE5', 'SE15', 'SE22', 'SE24', 'SE27', 'SE19', 'BR3', 'CR0'],
  },
  { code: 'STH', name: "St Thomas' Hospital, London", nation: 'EW', weight: 22, districts: ['SE1', 'SE11', 'SW8', 'SW9', 'SE17', 'SW4'] },
  { code: 'LCH', name: 'London Chest Hospital', nation: 'EW', weight: 20, districts: ['E1', 'E2', 'E3', 'E9', 'E14', 'E17', 'IG1'] },
  { code: 'HAM', name: 'Hammersmith Hospital, London', nation: 'EW', weight: 18, districts: ['W12', 'W6', 'W3', 'NW10', 'UB1', 'W5'] },
  { code: 'JRH', name: 'John Radcliffe Hospital, Oxford', nation: 'EW', weight: 16, districts: ['OX1', 'OX3', 'OX4', 'OX14', 'OX16', 'HP20'] },
  { code: 'BHI', name: 'Bristol Heart Institute', nation: 'EW', weight: 16, districts: ['BS1', 'BS4', 'BS8', 'BS16', 'BA1', 'BS22'] },
  { code: 'QEB', name: 'Queen Elizabeth Hospital, Birmingham', nation: 'EW', weight: 15, districts: ['B15', 'B29', 'B31', 'B14', 'B17', 'B91'] },
  { code: 'MRI', name: 'Manchester Royal Infirmary', nation: 'EW', weight: 15, districts: ['M13', 'M14', 'M20', 'M21', 'SK4', 'M16'] },
  { code: 'LGI', name: 'Leeds General Infirmary', nation: 'EW', weight: 14, districts: ['LS1', 'LS6', 'LS8', 'LS17', 'WF1', 'BD1'] },
  { code: 'FRE', name: 'Freeman Hospital, Newcastle', nation: 'EW', weight: 14, districts: ['NE1', 'NE3', 'NE7', 'NE12', 'NE28', 'SR1'] },
  { code: 'NGH', name: 'Northern General Hospital, Sheffield', nation: 'EW', weight: 12, districts: ['S5', 'S10', 'S11', 'S35', 'S60', 'DN1'] },
  { code: 'SGH', name: 'Southampton General Hospital', nation: 'EW', weight: 12, districts: ['SO14', 'SO16', 'SO19', 'SO50', 'PO1', 'BH1'] },
  { code: 'RSC', name: 'Royal Sussex County Hospital, Brighton', nation: 'EW', weight: 11, districts: ['BN1', 'BN2', 'BN3', 'BN11', 'BN21', 'RH16'] },
  {
    code: 'UHW',
    name: 'University Hospital of Wales, Cardiff',
    nation: 'EW',
    weight: 11,
    districts: ['CF14', 'CF5', 'CF23', 'CF62', 'CF83', 'NP20'],
  },
  { code: 'GLH', name: 'Glenfield Hospital, Leicester', nation: 'EW', weight: 10, districts: ['LE1', 'LE3', 'LE4', 'LE5', 'LE11', 'NN16'] },
  {
    code: 'GJN',
    name: 'Golden Jubilee National Hospital, Clydebank',
    nation: 'SCO',
    weight: 15,
    districts: ['G81', 'G12', 'G41', 'G73', 'PA1', 'ML3'],
  },
  { code: 'RIE', name: 'Royal Infirmary of Edinburgh', nation: 'SCO', weight: 12, districts: ['EH16', 'EH10', 'EH4', 'EH54', 'KY11', 'EH30'] },
];

/** Districts far from every site, where registry deaths of non-trial people also happen. */
const OTHER_EW = [
  'TR1',
  'EX4',
  'PL4',
  'NR2',
  'IP1',
  'CB1',
  'LN1',
  'YO1',
  'HU3',
  'CA1',
  'LA1',
  'PR1',
  'L4',
  'CH2',
  'ST4',
  'DE1',
  'NG7',
  'CV1',
  'WR1',
  'HR1',
  'SA1',
  'LL57',
  'SY23',
  'TN1',
  'CT1',
  'ME4',
  'GU1',
  'RG1',
  'SN1',
  'TA1',
];
const OTHER_SCO = ['AB10', 'AB24', 'DD1', 'DD4', 'IV2', 'PH1', 'FK1', 'KA1', 'DG1', 'TD1', 'KW1', 'ML1', 'G21', 'G32', 'EH7'];

export const EW_DISTRICTS: readonly string[] = [...SITES.filter((s) => s.nation === 'EW').flatMap((s) => s.districts), ...OTHER_EW];
/** Each site's region: the randomisation's stratification factor `region` (TrialRegistered v2). */
const REGIONS: Readonly<Record<string, Region>> = {
  KCH: 'London',
  STH: 'London',
  LCH: 'London',
  HAM: 'London',
  JRH: 'South',
  BHI: 'South',
  SGH: 'South',
  RSC: 'South',
  QEB: 'Midlands',
  GLH: 'Midlands',
  MRI: 'North',
  LGI: 'North',
  FRE: 'North',
  NGH: 'North',
  UHW: 'Wales',
  GJN: 'Scotland',
  RIE: 'Scotland',
};

/** A site's region, for the stratum a patient is randomised in. */
export function regionOf(code: string): Region {
  if (!Object.hasOwn(REGIONS, code)) throw new Error(`unknown site ${code}`);
  return REGIONS[code];
}

export const SCO_DISTRICTS: readonly string[] = [...SITES.filter((s) => s.nation === 'SCO').flatMap((s) => s.districts), ...OTHER_SCO];

/** Letters used in the inward code of a UK postcode (never C I K M O V). */
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export function postcode(rng: Rng, districts: readonly string[]): string {
  return `${rng.pick(districts)} ${rng.int(1, 9)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`;
}
