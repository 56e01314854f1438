/**
 * Vietnamese text from fonts of the 1990s that offices still use: TCVN3 (ABC, TCVN 5712:1993 VN3:
 * ".VnTime", one byte per letter, capitals drawn by the "H" fonts from the same codes) and VNI
 * ("VNI-Times": an ASCII letter followed by a mark character). A PDF made from such a document
 * carries Latin-1 codes, and an extractor reads "GI¸M §èC" or "GIAÙM ÑOÁC" for "GIÁM ĐỐC".
 * These decoders turn both back into Unicode; which one applies is decided by what reads as
 * Vietnamese (text-lines.ts).
 */

export type TextEncoding = 'unicode' | 'tcvn3' | 'vni'

/** TCVN3 code (as the Latin-1 character an extractor gives) -> the letter it draws (lower case). */
const TCVN3: Record<string, string> = {
  '\u00b5': 'à',
  '\u00b8': 'á',
  '\u00b6': 'ả',
  '\u00b7': 'ã',
  '\u00b9': 'ạ',
  '\u00a8': 'ă',
  '\u00bb': 'ằ',
  '\u00be': 'ắ',
  '\u00bc': 'ẳ',
  '\u00bd': 'ẵ',
  '\u00c6': 'ặ',
  '\u00a9': 'â',
  '\u00c7': 'ầ',
  '\u00ca': 'ấ',
  '\u00c8': 'ẩ',
  '\u00c9': 'ẫ',
  '\u00cb': 'ậ',
  '\u00ae': 'đ',
  '\u00cc': 'è',
  '\u00d0': 'é',
  '\u00ce': 'ẻ',
  '\u00cf': 'ẽ',
  '\u00d1': 'ẹ',
  '\u00aa': 'ê',
  '\u00d2': 'ề',
  '\u00d5': 'ế',
  '\u00d3': 'ể',
  '\u00d4': 'ễ',
  '\u00d6': 'ệ',
  '\u00d7': 'ì',
  '\u00dd': 'í',
  '\u00d8': 'ỉ',
  '\u00dc': 'ĩ',
  '\u00de': 'ị',
  '\u00df': 'ò',
  '\u00e3': 'ó',
  '\u00e1': 'ỏ',
  '\u00e2': 'õ',
  '\u00e4': 'ọ',
  '\u00ab': 'ô',
  '\u00e5': 'ồ',
  '\u00e8': 'ố',
  '\u00e6': 'ổ',
  '\u00e7': 'ỗ',
  '\u00e9': 'ộ',
  '\u00ac': 'ơ',
  '\u00ea': 'ờ',
  '\u00ed': 'ớ',
  '\u00eb': 'ở',
  '\u00ec': 'ỡ',
  '\u00ee': 'ợ',
  '\u00ef': 'ù',
  '\u00f3': 'ú',
  '\u00f1': 'ủ',
  '\u00f2': 'ũ',
  '\u00f4': 'ụ',
  '\u00ad': 'ư',
  '\u00f5': 'ừ',
  '\u00f8': 'ứ',
  '\u00f6': 'ử',
  '\u00f7': 'ữ',
  '\u00f9': 'ự',
  '\u00fa': 'ỳ',
  '\u00fd': 'ý',
  '\u00fb': 'ỷ',
  '\u00fc': 'ỹ',
  '\u00fe': 'ỵ',
  // Capitals with their own codes (the rest share the lower-case codes in the "H" fonts).
  '\u00a1': 'Ă',
  '\u00a2': 'Â',
  '\u00a3': 'Ê',
  '\u00a4': 'Ô',
  '\u00a5': 'Ơ',
  '\u00a6': 'Ư',
  '\u00a7': 'Đ',
}

/** Codes TCVN3 gives capitals of their own (Ă Â Ê Ô Ơ Ư Đ): evidence of an "H" font's capitals. */
const TCVN3_CAPITALS = /[\u00a1-\u00a7]/

/**
 * TCVN3 -> Unicode. A word set in an "H" font (whose shared codes draw capitals) shows no lower-
 * case Latin letter and at least two capitals: it is upper-cased ("GI¸M §èC" is "GIÁM ĐỐC", not
 * "GIáM ĐốC"), while "Sè:" stays "Số:".
 */
export function decodeTcvn3(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      let out = ''
      for (const ch of word) out += TCVN3[ch] ?? ch
      const capitals = [...word].filter((c) => /[A-Z]/.test(c) || TCVN3_CAPITALS.test(c)).length
      return capitals >= 2 && !/[a-z]/.test(word) ? out.toUpperCase() : out
    })
    .join('')
}

/** VNI marks after a vowel: the combining marks they stand for (lower-case and capital forms). */
const VNI_MARKS: Record<string, string> = {
  ù: '\u0301',
  ø: '\u0300',
  û: '\u0309',
  õ: '\u0303',
  ï: '\u0323',
  â: '\u0302',
  ê: '\u0306',
  á: '\u0302\u0301',
  à: '\u0302\u0300',
  å: '\u0302\u0309',
  ã: '\u0302\u0303',
  ä: '\u0302\u0323',
  é: '\u0306\u0301',
  è: '\u0306\u0300',
  ú: '\u0306\u0309',
  ü: '\u0306\u0303',
  ë: '\u0306\u0323',
}
/** Letters VNI draws with one character of their own. */
const VNI_LETTERS: Record<string, string> = {
  ô: 'ơ',
  ö: 'ư',
  ñ: 'đ',
  í: 'í',
  ì: 'ì',
  æ: 'ỉ',
  ó: 'ĩ',
  ò: 'ị',
  î: 'ỵ',
}

const VOWEL = /[aeiouy]/i

/**
 * VNI -> Unicode: a vowel followed by a mark character takes that mark (capitals use the capital
 * Latin-1 forms: "AÙ" is "Á"); the single-character letters (ô for ơ, ö for ư, ñ for đ, ...) map
 * on their own. The result is NFC.
 */
export function decodeVni(text: string): string {
  const chars = [...text]
  let out = ''
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string
    const next = chars[i + 1]
    const mark = next === undefined ? undefined : VNI_MARKS[next.toLowerCase()]
    if (VOWEL.test(ch) && mark !== undefined) {
      out += ch + mark
      i++
      continue
    }
    // "ơ" and "ư" may carry a tone mark too: ôù is ớ, öø is ừ.
    const letter = VNI_LETTERS[ch.toLowerCase()]
    if (letter !== undefined) {
      const cased = ch === ch.toLowerCase() ? letter : letter.toUpperCase()
      const toneAfter = next === undefined ? undefined : VNI_MARKS[next.toLowerCase()]
      if (
        (letter === 'ơ' || letter === 'ư') &&
        toneAfter !== undefined &&
        toneAfter.length === 1 &&
        toneAfter !== '\u0302' &&
        toneAfter !== '\u0306'
      ) {
        out += cased + toneAfter
        i++
      } else {
        out += cased
      }
      continue
    }
    out += ch
  }
  return out.normalize('NFC')
}

/**
 * Words that nearly every Vietnamese administrative text contains: how many of them a decoding
 * yields tells which decoding is right (a wrong one yields none).
 */
const COMMON_WORDS = new Set(
  (
    'của và các được theo ngày tháng năm số về việc quyết định nhận nơi giám đốc chủ tịch ủy ban nhân dân thành phố ' +
    'cộng hòa xã hội nghĩa việt nam độc lập tự do hạnh phúc này có không thực hiện người trong cho đến với sở phòng ' +
    'văn bản công tác quy chế lưu như trên điều căn cứ đề nghị chánh trưởng phó chịu trách nhiệm thi hành'
  ).split(' '),
)

/** How Vietnamese a text reads: the number of its words that are common Vietnamese words. */
export function vietnameseScore(text: string): number {
  let score = 0
  for (const word of text
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}]+/u))
    if (COMMON_WORDS.has(word)) score++
  return score
}

/**
 * The decoding under which a font's text reads most like Vietnamese; Unicode unless another one
 * is clearly better (at least two more common words), so English or Unicode Vietnamese text is
 * never "decoded".
 */
export function detectEncoding(sample: string): TextEncoding {
  const unicode = vietnameseScore(sample)
  const tcvn3 = vietnameseScore(decodeTcvn3(sample))
  const vni = vietnameseScore(decodeVni(sample))
  const best = Math.max(tcvn3, vni)
  if (best < unicode + 2) return 'unicode'
  return tcvn3 >= vni ? 'tcvn3' : 'vni'
}

export function decode(text: string, encoding: TextEncoding): string {
  return encoding === 'tcvn3' ? decodeTcvn3(text) : encoding === 'vni' ? decodeVni(text) : text
}
