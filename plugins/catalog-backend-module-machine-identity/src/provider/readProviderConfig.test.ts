import { ConfigReader } from '@backstage/config';
import { readProviderConfig } from './readProviderConfig';

const read = (catalog: object) => readProviderConfig(new ConfigReader({ machineIdentity: { catalog } }));

describe('readProviderConfig', () => {
  it('defaults to both relation directions and a 10,000-item owner window', () => {
    expect(read({})).toMatchObject({ ownerSideRelations: true, orderWindow: 10_000 });
  });

  it('reads ownerSideRelations and orderWindow, and refuses a negative or fractional window', () => {
    expect(read({ ownerSideRelations: false, orderWindow: 0 })).toMatchObject({ ownerSideRelations: false, orderWindow: 0 });
    expect(read({ orderWindow: 100_000 }).orderWindow).toBe(100_000);
    expect(() => read({ orderWindow: -1 })).toThrow(/orderWindow must be an integer of 0 or more/);
    expect(() => read({ orderWindow: 2.5 })).toThrow(/orderWindow/);
  });
});
