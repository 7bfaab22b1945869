// Name and place pools of the second linkage generator (generate-uk2.ts). Written apart from
// names.ts on purpose: other lists, other frequencies, other long-tail rules, so that a model
// fitted to the first generator meets names it was not tuned to. Lists are in descending order
// of frequency within their group; generate-uk2.ts draws from them with a Zipf law per group
// (rank k has weight 1 / k^s), the exponents below. The orders and exponents are judgement,
// loosely after the ONS/NRS surname and baby-name tables (Welsh surnames are far more
// concentrated than English ones, Polish ones much flatter); they are not fitted to anything.

/** Where a person's names come from. Mixture weights differ between England & Wales and Scotland. */
export type Origin = 'english' | 'welsh' | 'scottish' | 'irish' | 'southAsian' | 'polish' | 'chinese';

export const origins: readonly Origin[] = ['english', 'welsh', 'scottish', 'irish', 'southAsian', 'polish', 'chinese'];

/** Share of each origin among the people of a registry's population. */
export const originMix: Record<'ons' | 'nrs', Record<Origin, number>> = {
  ons: { english: 0.52, welsh: 0.13, scottish: 0.05, irish: 0.07, southAsian: 0.14, polish: 0.06, chinese: 0.03 },
  nrs: { english: 0.16, welsh: 0.01, scottish: 0.56, irish: 0.12, southAsian: 0.07, polish: 0.06, chinese: 0.02 },
};

const words = (s: string): string[] => s.trim().split(/\s+/);

export interface SurnamePool {
  names: readonly string[];
  /** Zipf exponent within the list. */
  s: number;
  /** Share of the group whose surname is outside the list (built by `tail`). */
  tailShare: number;
}

export const surnamePools: Record<Origin, SurnamePool> = {
  english: {
    s: 0.85,
    tailShare: 0.4,
    names: words(`SMITH TAYLOR BROWN WILSON WRIGHT WALKER WOOD ROBINSON THOMPSON WHITE HALL GREEN HARRIS
      CLARKE TURNER HILL COOPER WARD KING BAKER MOORE JACKSON HARRISON ALLEN YOUNG MARTIN COOK PARKER BENNETT
      SHAW CARTER FOSTER MASON HOLMES FLETCHER BARKER ATKINSON SUTCLIFFE BRIGGS HOLROYD PICKERING ASHWORTH
      HARGREAVES BUTTERWORTH CROSSLEY ACKROYD WHITTAKER HEPWORTH BOOTHROYD SHACKLETON RAMSBOTTOM ORMEROD
      BARRACLOUGH GREENWOOD HAIGH LUMB NUTTALL RADCLIFFE SCHOFIELD TOWNEND`),
  },
  welsh: {
    s: 1.15,
    tailShare: 0.06,
    names: words(`JONES WILLIAMS DAVIES EVANS THOMAS ROBERTS HUGHES LEWIS MORGAN GRIFFITHS PRICE REES JENKINS
      JAMES OWEN LLOYD POWELL PUGH PRITCHARD MORRIS HOWELLS PARRY BEVAN PROSSER WATKINS PHILLIPS MEREDITH
      VAUGHAN PROTHERO GWYNNE LLEWELLYN BOWEN RICHARDS HOPKINS MADDOCKS PROBERT ELLIS HARRIES GRIFFIN`),
  },
  scottish: {
    s: 0.8,
    tailShare: 0.3,
    names: words(`SMITH BROWN WILSON CAMPBELL STEWART THOMSON ROBERTSON ANDERSON MACDONALD SCOTT REID MURRAY
      TAYLOR CLARK ROSS WATSON MORRISON PATERSON YOUNG MITCHELL WALKER FRASER MILLER MCDONALD GRAY HENDERSON
      HAMILTON JOHNSTON DUNCAN GRAHAM FERGUSON KERR DAVIDSON BELL CUNNINGHAM MACKENZIE MACLEOD MCLEAN MACKAY
      SIMPSON MARTIN MUNRO BLACK ALLAN SUTHERLAND KENNEDY MCINTYRE BUCHANAN GORDON CRAIG`),
  },
  irish: {
    s: 0.8,
    tailShare: 0.15,
    names: words(`MURPHY KELLY O'BRIEN RYAN WALSH BYRNE O'CONNOR DOYLE MCCARTHY O'SULLIVAN QUINN GALLAGHER
      DOHERTY LYNCH FLYNN O'REILLY DUNNE BRENNAN BURKE CONNOLLY DALY FARRELL FITZGERALD HEALY KAVANAGH
      MCLAUGHLIN NOLAN O'CALLAGHAN O'NEILL POWER SHEEHAN SWEENEY TIERNEY BOYLE MCGUINNESS O'DONNELL`),
  },
  southAsian: {
    s: 1.0,
    tailShare: 0.12,
    names: words(`SINGH KHAN AHMED PATEL HUSSAIN ALI SHAH AKHTAR IQBAL MAHMOOD RAHMAN ISLAM UDDIN MIAH
      CHOUDHURY SHARMA GUPTA KUMAR MISTRY PAREKH DESAI JOSHI CHAUHAN BHATTI BUTT MALIK RAZA HAQ SANDHU GILL
      DHILLON SIDHU BAINS GREWAL NAZIR ASHRAF ANWAR KAPOOR NAIR PILLAI D'SOUZA`),
  },
  polish: {
    s: 0.55,
    tailShare: 0.5,
    names: words(`NOWAK KOWALSKI WISNIEWSKI WOJCIK KOWALCZYK KAMINSKI LEWANDOWSKI ZIELINSKI SZYMANSKI WOZNIAK
      DABROWSKI KOZLOWSKI JANKOWSKI MAZUR KWIATKOWSKI KRAWCZYK PIOTROWSKI GRABOWSKI NOWAKOWSKI PAWLOWSKI
      MICHALSKI NOWICKI ADAMCZYK DUDEK ZAJAC WIECZOREK JABLONSKI KROL MAJEWSKI OLSZEWSKI JAWORSKI WROBEL
      MALINOWSKI PAWLAK WITKOWSKI WALCZAK STEPIEN GORSKI RUTKOWSKI MICHALAK`),
  },
  chinese: {
    s: 1.0,
    tailShare: 0,
    names: words('WONG CHAN LI LEE ZHANG WANG LIU CHEN LAM CHEUNG HO YANG HUANG ZHAO WU ZHOU LAU TANG LEUNG NG'),
  },
};

/** Pieces of made-up surnames outside the lists, per origin. */
export const surnameTail = {
  englishHead: words('ASH BRAD CALD HOL KIRK LANG MID NOR RAM STAN THORN WHIT WIN HEP FAIR BLACK BROOK ELL GRIMS OAK'),
  englishFoot: words('BROOK HURST COTE WICK STEAD THORPE SHAW WORTH DALE GATE WELL TON LEY FIELD HOLME CLIFFE BANK ROYD'),
  gaelicRoot: words(`LEAN INNES KINNON PHERSON INTOSH ALLISTER KECHNIE GILLIVRAY LACHLAN NAB QUEEN CORMICK FARLANE
    GREGOR KAY AULAY NEIL ROBERT IVER LELLAN CALLUM DOUGALL EWAN GLASHAN KINLAY`),
  irishRoot: words('DONOVAN MAHONY KEEFFE HARA DWYER SHEA ROURKE HALLORAN CONNELL LEARY GRADY FLAHERTY'),
  southAsianHead: words('RAH HAS SUL NAW SHAF ZUL FAR SID RAS KAR MAN BHA CHA'),
  southAsianFoot: words('MAN AN EEM IQ AZ ANI WAL OOR ATI ERA'),
  polishRoot: words('BORKOW CHMIEL DUDZI GRZYB JASIN KACZMAR LIS MROZ NIEMCZ OSTROW PLUT RADOM SOBCZ TOMASZ WIL ZAREMB'),
  polishEnd: words('SKI SKI SKI WICZ CZYK AK EK ECKI'),
};

/** Birth-decade buckets of the British given-name lists: the bucket of a year is the last start <= it. */
export const decadeStarts = [1900, 1930, 1940, 1950, 1960, 1970] as const;

/** Given names of people of British or Irish origin, by sex and birth decade, most popular first. */
export const britishGiven: Record<'M' | 'F', readonly (readonly string[])[]> = {
  M: [
    words('WILLIAM JOHN GEORGE JAMES THOMAS ARTHUR FREDERICK ALBERT CHARLES ERNEST ROBERT HAROLD ALFRED WALTER HENRY JOSEPH SIDNEY LEONARD'),
    words('JOHN WILLIAM KENNETH RONALD GEORGE JAMES ROBERT DENNIS PETER THOMAS ERIC DONALD STANLEY LESLIE JACK RAYMOND GORDON ALBERT'),
    words('JOHN DAVID MICHAEL PETER BRIAN ALAN ROBERT ANTHONY WILLIAM JAMES KEITH TERENCE BARRY DEREK COLIN ROGER GRAHAM RAYMOND'),
    words('DAVID JOHN MICHAEL STEPHEN PETER ROBERT PAUL ALAN CHRISTOPHER RICHARD ANTHONY ANDREW KEITH TREVOR MALCOLM NIGEL PHILIP GEOFFREY'),
    words('DAVID PAUL MARK ANDREW JOHN MICHAEL STEPHEN IAN GARY ROBERT RICHARD PETER KEVIN NEIL SIMON ANTHONY MARTIN STUART'),
    words('PAUL MARK DAVID ANDREW RICHARD CHRISTOPHER JAMES MATTHEW SIMON JASON DARREN LEE CRAIG STEVEN WAYNE DEAN NEIL LEE'),
  ],
  F: [
    words('MARY FLORENCE DORIS EDITH DOROTHY ANNIE MARGARET ALICE ELSIE IVY VIOLET LILIAN GLADYS ETHEL WINIFRED HILDA ELIZABETH MABEL'),
    words('MARGARET JOAN MARY JOYCE DOROTHY BETTY IRENE DORIS JEAN EILEEN KATHLEEN PATRICIA SHEILA AUDREY BARBARA PEGGY VERA MURIEL'),
    words('MARGARET PATRICIA JEAN MARY SHEILA BARBARA JUNE VALERIE BRENDA MAUREEN ANN SHIRLEY JANET PAMELA SYLVIA IRIS BEVERLEY HAZEL'),
    words('SUSAN LINDA CHRISTINE MARGARET CAROL JANET PATRICIA ELIZABETH MARY ANNE JACQUELINE GILLIAN PAMELA ELAINE LESLEY SANDRA DIANE JUDITH'),
    words('SUSAN JULIE KAREN JACQUELINE DEBORAH TRACEY ALISON JANE HELEN AMANDA SHARON SARAH ELIZABETH CAROLINE DAWN WENDY ANGELA NICOLA'),
    words('SARAH CLAIRE NICOLA EMMA LISA JOANNE MICHELLE HELEN SAMANTHA KAREN AMANDA RACHEL LOUISE JULIE DONNA KELLY VICTORIA TRACY'),
  ],
};

/** Given names that belong to an origin, drawn instead of the British list with the share below. */
export const originGiven: Record<Origin, { share: number; M: readonly string[]; F: readonly string[] }> = {
  english: { share: 0, M: [], F: [] },
  welsh: {
    share: 0.35,
    M: words('GARETH DAFYDD RHYS GWYN EMRYS IEUAN HYWEL DILWYN ALED MEIRION GERAINT HUW GLYN DEWI'),
    F: words('GWYNETH CERYS BRONWEN MEGAN SIAN RHIANNON ANGHARAD NIA GLENYS NERYS ELUNED CARYS MAIR'),
  },
  scottish: {
    share: 0.3,
    M: words('ALASDAIR HAMISH IAIN EUAN FERGUS ANGUS CALUM DOUGLAS ALEXANDER GORDON ALISTAIR DUNCAN ROSS'),
    F: words('MORAG ISLA MAIRI ELSPETH KIRSTY AILSA FIONA ISOBEL CATRIONA SHONA MHAIRI JESSIE AGNES'),
  },
  irish: {
    share: 0.3,
    M: words('SEAN PATRICK DECLAN CIARAN EAMONN LIAM KIERAN DERMOT BRENDAN PADRAIG FINBAR'),
    F: words('SIOBHAN BRIDGET MAUREEN ROISIN AOIFE NIAMH BERNADETTE DEIRDRE GRAINNE NORA'),
  },
  southAsian: {
    share: 0.92,
    M: words(`MOHAMMED ABDUL GURDEEP HARJIT RAJESH SANJAY IMRAN TARIQ ZAHID ASIF JASWINDER KULDIP MANJIT AMRIK
      SUKHDEV RAVI VIJAY ANIL NASIR SHAHID ARSHAD MUHAMMAD`),
    F: words(`FATIMA NASREEN SHAHEEN PARVEEN RUKHSANA GURMIT HARJINDER JASBIR KULWANT MANJEET PRIYA ANJALI SUNITA
      ASHA NAZIA SAIMA SHABANA BALJIT AMANDEEP HAMIDA`),
  },
  polish: {
    share: 0.85,
    M: words(
      'PIOTR KRZYSZTOF ANDRZEJ TOMASZ PAWEL MAREK JAN STANISLAW TADEUSZ JERZY ZBIGNIEW WOJCIECH MARCIN ADAM LUKASZ MICHAL GRZEGORZ JOZEF KAZIMIERZ RYSZARD',
    ),
    F: words(
      'ANNA MARIA KATARZYNA MALGORZATA AGNIESZKA BARBARA EWA KRYSTYNA ELZBIETA ZOFIA JOANNA MAGDALENA TERESA DANUTA HALINA IRENA JADWIGA ALEKSANDRA MONIKA GRAZYNA',
    ),
  },
  chinese: {
    share: 0.5,
    M: words('WAI_MAN KWOK_WAH WEI JIAN MING CHI_KEUNG KA_LEUNG HONG'),
    F: words('MEI_LING SIU_WAH LI_NA XIAO_HONG YAN MEI KA_YAN SUK_YEE'),
  },
};

/** Informal forms a name is registered or recorded under (both directions are used). */
export const nicknames: Record<string, readonly string[]> = {
  WILLIAM: ['BILL', 'BILLY', 'WILL'],
  ROBERT: ['BOB', 'ROB', 'BOBBY'],
  JAMES: ['JIM', 'JIMMY', 'JAMIE'],
  JOHN: ['JACK', 'JOHNNY'],
  RICHARD: ['DICK', 'RICK'],
  EDWARD: ['TED', 'EDDIE'],
  ANTHONY: ['TONY'],
  THOMAS: ['TOM', 'TOMMY'],
  MICHAEL: ['MIKE', 'MICK'],
  CHRISTOPHER: ['CHRIS'],
  KENNETH: ['KEN', 'KENNY'],
  RONALD: ['RON', 'RONNIE'],
  FREDERICK: ['FRED', 'FREDDIE'],
  ALBERT: ['BERT', 'ALBIE'],
  HENRY: ['HARRY'],
  JOSEPH: ['JOE'],
  STEPHEN: ['STEVE'],
  PETER: ['PETE'],
  ALEXANDER: ['ALEX', 'SANDY', 'ALICK'],
  DAVID: ['DAVE', 'DAI'],
  DAFYDD: ['DAI'],
  PATRICK: ['PADDY', 'PAT'],
  MARGARET: ['PEGGY', 'MAGGIE', 'MEG', 'RITA'],
  ELIZABETH: ['BETTY', 'LIZ', 'BETH', 'LIZZIE'],
  CATHERINE: ['KATE', 'CATH', 'KATHY'],
  PATRICIA: ['PAT', 'TRISH'],
  SUSAN: ['SUE', 'SUSIE'],
  DOROTHY: ['DOT', 'DOLLY'],
  JACQUELINE: ['JACKIE'],
  DEBORAH: ['DEBBIE'],
  KATARZYNA: ['KASIA'],
  MALGORZATA: ['GOSIA'],
  ALEKSANDRA: ['OLA'],
  AGNIESZKA: ['AGA'],
  KRZYSZTOF: ['KRZYS'],
  GWENLLIAN: ['GWEN'],
  ISOBEL: ['ISA', 'BELLA'],
  MOHAMMED: ['MO'],
  MUHAMMAD: ['MO'],
  BARBARA: ['BABS'],
};

/** Other spellings of one name, as registrars and trial staff write them. */
export const spellings: readonly (readonly string[])[] = [
  ['MOHAMMED', 'MOHAMMAD', 'MUHAMMAD', 'MOHAMED'],
  ['ANN', 'ANNE'],
  ['STEPHEN', 'STEVEN'],
  ['PHILIP', 'PHILLIP'],
  ['GEOFFREY', 'JEFFREY'],
  ['ISOBEL', 'ISABEL', 'ISABELLE'],
  ['ALISTAIR', 'ALASDAIR', 'ALASTAIR'],
  ['IAIN', 'IAN'],
  ['SIOBHAN', 'SHIVAUN'],
  ['CATHERINE', 'KATHRYN', 'CATHRINE'],
  ['LESLEY', 'LESLIE'],
  ['TRACEY', 'TRACY'],
  ['GRAHAM', 'GRAHAME'],
  ['ALAN', 'ALLAN', 'ALLEN'],
  ['SEAN', 'SHAUN', 'SHAWN'],
  ['MHAIRI', 'MAIRI', 'MARIE'],
  ['MANJIT', 'MANJEET'],
  ['JASWINDER', 'JASVINDER'],
  ['EAMONN', 'EAMON'],
  ['DEIRDRE', 'DEIDRE'],
];

/**
 * Postcode areas with how many districts they have and a weight for how many people live there
 * (very roughly proportional to population). England & Wales for ONS, Scotland for NRS.
 */
export const postcodeAreasUk2: Record<'ons' | 'nrs', readonly (readonly [area: string, districts: number, weight: number])[]> = {
  ons: [
    ['CF', 48, 3],
    ['SA', 73, 3],
    ['NP', 44, 2],
    ['LL', 78, 2],
    ['SY', 25, 1],
    ['LD', 8, 0.2],
    ['B', 80, 6],
    ['M', 50, 5],
    ['L', 40, 4],
    ['LS', 29, 4],
    ['S', 45, 4],
    ['NE', 71, 4],
    ['BS', 49, 3],
    ['NG', 34, 3],
    ['LE', 67, 3],
    ['CV', 47, 2],
    ['ST', 21, 3],
    ['DE', 75, 2],
    ['SK', 23, 2],
    ['BD', 24, 2],
    ['HD', 9, 1],
    ['WF', 17, 2],
    ['OL', 16, 1],
    ['BL', 9, 1],
    ['PR', 26, 2],
    ['FY', 8, 1],
    ['CA', 28, 1],
    ['DH', 9, 1],
    ['SR', 8, 1],
    ['TS', 29, 2],
    ['YO', 62, 2],
    ['HU', 20, 2],
    ['DN', 41, 2],
    ['LN', 13, 1],
    ['PE', 38, 2],
    ['NR', 35, 2],
    ['IP', 33, 2],
    ['CB', 25, 1],
    ['CM', 24, 2],
    ['SS', 17, 2],
    ['E', 20, 4],
    ['N', 22, 4],
    ['SE', 28, 5],
    ['SW', 20, 4],
    ['W', 14, 3],
    ['NW', 11, 3],
    ['CR', 9, 2],
    ['BR', 8, 1],
    ['KT', 24, 2],
    ['TW', 20, 2],
    ['RH', 20, 2],
    ['BN', 45, 3],
    ['GU', 35, 2],
    ['PO', 41, 2],
    ['SO', 53, 2],
    ['BH', 31, 2],
    ['OX', 49, 2],
    ['RG', 45, 2],
    ['MK', 46, 1],
    ['LU', 7, 1],
    ['GL', 56, 2],
    ['WR', 15, 1],
    ['WV', 16, 1],
    ['WS', 15, 1],
    ['EX', 39, 2],
    ['PL', 35, 2],
    ['TR', 27, 1],
    ['TA', 24, 1],
    ['BA', 22, 1],
  ],
  nrs: [
    ['G', 84, 10],
    ['EH', 55, 8],
    ['AB', 56, 4],
    ['DD', 11, 3],
    ['KY', 16, 3],
    ['FK', 21, 3],
    ['ML', 12, 3],
    ['PA', 80, 3],
    ['KA', 30, 3],
    ['IV', 63, 2],
    ['PH', 50, 1.5],
    ['DG', 16, 1.2],
    ['TD', 15, 1],
    ['KW', 17, 0.5],
    ['HS', 9, 0.2],
    ['ZE', 3, 0.2],
  ],
};

/** Letters of the inward unit (the Royal Mail never uses C I K M O V there). */
export const inwardLetters = 'ABDEFGHJLNPQRSTUWXYZ';
