export { stripControlCharacters } from './stripControlCharacters';
