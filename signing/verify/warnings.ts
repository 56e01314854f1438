import type { Change } from '../validate/changes'
import type { Warning } from './report'

/** A change as the warning a clerk reads, in English (`what`) and Vietnamese (`what_vi`). */
export function warningOf(c: Change): Warning {
  return { kind: c.kind, object: c.object, page: c.page, what: c.what, what_vi: changeVi(c) }
}

const ACTION_VI = { added: 'được thêm', removed: 'bị xóa', changed: 'bị sửa' } as const

/** The Vietnamese wording of a change, naming its page, object and field. */
export function changeVi(c: Change): string {
  const at = c.page ? `Trang ${c.page}: ` : ''
  const obj = c.object !== null ? ` (đối tượng ${c.object})` : ''
  const over = c.overContent ? ', che lên nội dung đã ký' : ''
  switch (c.kind) {
    case 'annotation':
      if (c.key === undefined && c.action === 'removed') return `${at}danh sách chú thích bị xóa${obj}`
      return `${at}chú thích ${c.key ? '/' + c.key + ' ' : ''}${ACTION_VI[c.action ?? 'changed']} sau khi ký${obj}${over}`
    case 'form-field':
      if (c.field) return `${at}trường biểu mẫu '${c.field}' được điền hoặc sửa sau khi ký${obj}`
      return `${at}trường biểu mẫu: ${c.what}${obj}`
    case 'issuance':
      if (c.allowed)
        return `số, ký hiệu hoặc ngày ban hành được điền khi phát hành (trường '${c.field ?? '?'}')${obj}`
      return `số, ký hiệu hoặc ngày ban hành đã phát hành bị sửa (trường '${c.field ?? '?'}')${obj}`
    case 'page-tree':
      if (c.level === 'signatures')
        return `cây trang có thêm khóa riêng /${c.key ?? '?'} của phần mềm ghi tệp (không ảnh hưởng hiển thị)${obj}`
      return `cây trang bị thay đổi (${c.key ? '/' + c.key : c.what})${obj}`
    case 'catalog':
      return `danh mục tài liệu thay đổi mục /${c.key ?? '?'}${obj}`
    case 'content':
      return `${at}nội dung trang bị thay đổi${obj}`
    case 'pages':
      return 'số trang hoặc thứ tự trang bị thay đổi'
    case 'page':
      return c.key ? `${at}mục /${c.key} của trang bị thay đổi${obj}` : `${at}trang bị thay thế${obj}`
    case 'signature-dictionary':
      return `thông tin của một chữ ký đã có bị sửa${obj} (${c.what})`
    case 'signature-field':
      return `trường chữ ký: ${c.what}${obj}`
    case 'document-timestamp':
      return `thêm dấu thời gian tài liệu${obj}`
    case 'acroform':
      return `biểu mẫu bị thay đổi (${c.what})${obj}`
    case 'metadata':
      return 'thông tin tài liệu được cập nhật'
    case 'structure':
      return `cấu trúc gắn thẻ (tagged PDF) được cập nhật${obj}`
    case 'removed':
      return `${at}một đối tượng bị xóa${obj} (${c.what})`
    case 'unreadable':
      return `không đọc được một đối tượng của phiên bản sau${obj}: không thể so sánh`
    case 'certification':
      return 'tài liệu được chứng nhận "không cho phép thay đổi" nhưng có phiên bản cập nhật sau đó'
    default:
      return `đối tượng ${c.object ?? '?'} bị thay đổi`
  }
}
