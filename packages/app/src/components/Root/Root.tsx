import { PropsWithChildren } from 'react';
import HomeIcon from '@material-ui/icons/Home';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import GroupIcon from '@material-ui/icons/People';
import DeleteSweepIcon from '@material-ui/icons/DeleteSweep';
import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarPage,
  SidebarScrollWrapper,
} from '@backstage/core-components';

/** The portal's frame: a sidebar with the catalog, teams and Keyring's overview. */
export const Root = ({ children }: PropsWithChildren) => (
  <SidebarPage>
    <Sidebar>
      <SidebarGroup label="Menu">
        <SidebarItem icon={HomeIcon} to="catalog" text="Catalog" />
        <SidebarItem icon={GroupIcon} to="catalog?filters[kind]=group" text="Teams" />
        <SidebarDivider />
        <SidebarScrollWrapper>
          <SidebarItem icon={VpnKeyIcon} to="machine-identities" text="Machine identities" />
          <SidebarItem icon={DeleteSweepIcon} to="decommissioning" text="Decommissioning" />
        </SidebarScrollWrapper>
      </SidebarGroup>
    </Sidebar>
    {children}
  </SidebarPage>
);
