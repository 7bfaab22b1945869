/**
 * NYSIIS phonetic code (New York State Identification and Intelligence System, Taft 1970),
 * hand-written from the original rules, truncated to 6 characters as the original does.
 * Chosen over Soundex because it keeps vowel position information and groups British surname
 * spellings (SMITH/SMYTH, THOMSON/THOMPSON) while separating more unrelated names.
 * Input: any string; only the letters A-Z are used. Returns '' when there are none.
 */
export function nysiis(name: string, maxLength = 6): string {
  let s = name.toUpperCase().replace(/[^A-Z]/g, '');
  if (s.length === 0) return '';
  // Step 1: the start of the name.
  if (s.startsWith('MAC')) s = 'MCC' + s.slice(3);
  else if (s.startsWith('KN')) s = 'NN' + s.slice(2);
  else if (s.startsWith('K')) s = 'C' + s.slice(1);
  else if (s.startsWith('PH') || s.startsWith('PF')) s = 'FF' + s.slice(2);
  else if (s.startsWith('SCH')) s = 'SSS' + s.slice(3);
  // Step 2: the end of the name.
  if (s.endsWith('EE') || s.endsWith('IE')) s = s.slice(0, -2) + 'Y';
  else if (/(DT|RT|RD|NT|ND)$/.test(s)) s = s.slice(0, -2) + 'D';
  // Step 3: the first letter is kept as it is.
  const chars = s.split('');
  let key = chars[0];
  const isVowel = (c: string | undefined): boolean => c === 'A' || c === 'E' || c === 'I' || c === 'O' || c === 'U';
  for (let i = 1; i < chars.length; i++) {
    const c = chars[i];
    if (c === 'E' && chars[i + 1] === 'V') {
      chars[i] = 'A';
      chars[i + 1] = 'F';
    } else if (isVowel(c)) chars[i] = 'A';
    else if (c === 'Q') chars[i] = 'G';
    else if (c === 'Z') chars[i] = 'S';
    else if (c === 'M') chars[i] = 'N';
    else if (c === 'K') {
      if (chars[i + 1] === 'N') chars[i] = 'N';
      else chars[i] = 'C';
    } else if (c === 'S' && chars[i + 1] === 'C' && chars[i + 2] === 'H') {
      chars[i] = 'S';
      chars[i + 1] = 'S';
      chars[i + 2] = 'S';
    } else if (c === 'P' && chars[i + 1] === 'H') {
      chars[i] = 'F';
      chars[i + 1] = 'F';
    } else if (c === 'H' && (!isVowel(chars[i - 1]) || !isVowel(chars[i + 1]))) chars[i] = chars[i - 1];
    else if (c === 'W' && isVowel(chars[i - 1])) chars[i] = chars[i - 1];
    if (chars[i] !== key[key.length - 1]) key += chars[i];
  }
  // Step 4: the end of the key.
  if (key.length > 1 && key.endsWith('S')) key = key.slice(0, -1);
  if (key.length > 2 && key.endsWith('AY')) key = key.slice(0, -2) + 'Y';
  if (key.length > 1 && key.endsWith('A')) key = key.slice(0, -1);
  return key.slice(0, maxLength);
}
