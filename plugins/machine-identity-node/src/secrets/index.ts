export { findSecretMaterial, redactSecretMaterial } from './findSecretMaterial';
export type { FindSecretMaterialOptions } from './findSecretMaterial';
