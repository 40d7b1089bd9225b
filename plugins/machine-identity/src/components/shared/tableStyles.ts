import { makeStyles } from '@material-ui/core/styles';

/**
 * Shared cell styles for the plugin's tables: headers and short values never
 * break inside a word, and the one free-text column takes the spare width.
 * The Backstage theme gives table cells `word-break: break-word`, which lets
 * a squeezed column break "Management" into "Managemen t"; every class here
 * sets `word-break: normal` to undo that.
 */
export const useTableStyles = makeStyles({
  /** A header cell: one line, whatever the column's width. */
  header: {
    whiteSpace: 'nowrap',
    wordBreak: 'normal',
  },
  /** A short value (owner, expiry, chip) kept on one line, as narrow as it can be. */
  nowrap: {
    whiteSpace: 'nowrap',
    wordBreak: 'normal',
    width: '1%',
  },
  /** A short value that may wrap between words (never inside one), as narrow as it can be. */
  shrink: {
    wordBreak: 'normal',
    width: '1%',
  },
  /** A narrow column that holds only an icon. */
  icon: {
    wordBreak: 'normal',
    width: '1%',
    paddingRight: 0,
  },
  /** A small text button that opens a row (no capitals, one line). */
  expander: {
    textTransform: 'none',
    whiteSpace: 'nowrap',
  },
  /**
   * The free-text column: takes the spare width and wraps between words (use
   * BreakableText for host names); only a token wider than the column breaks.
   */
  grow: {
    wordBreak: 'normal',
    overflowWrap: 'break-word',
  },
});
