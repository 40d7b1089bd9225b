import type { IdentityType } from '@keyring/plugin-machine-identity-common';
import Tooltip from '@material-ui/core/Tooltip';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import CodeIcon from '@material-ui/icons/Code';
import SupervisorAccountIcon from '@material-ui/icons/SupervisorAccount';
import CloudIcon from '@material-ui/icons/Cloud';
import HelpOutlineIcon from '@material-ui/icons/HelpOutline';
import LockIcon from '@material-ui/icons/Lock';
import { TYPE_LABELS, labelOf } from './labels';

const ICONS: Record<IdentityType, typeof VpnKeyIcon> = {
  'tls-certificate': VerifiedUserIcon,
  'ssh-key': VpnKeyIcon,
  'api-token': CodeIcon,
  'service-account': SupervisorAccountIcon,
  'workload-identity': CloudIcon,
  secret: LockIcon,
};

/** The icon of an identity type, with its name as tooltip and accessible label. */
export function IdentityTypeIcon(props: {
  type: string;
  fontSize?: 'small' | 'default' | 'large' | 'inherit';
}) {
  const Icon = ICONS[props.type as IdentityType] ?? HelpOutlineIcon;
  const label = labelOf(TYPE_LABELS, props.type);
  return (
    <Tooltip title={label}>
      <Icon
        role="img"
        aria-label={label}
        aria-hidden={false}
        fontSize={props.fontSize ?? 'small'}
        data-testid={`identity-type-icon-${props.type}`}
      />
    </Tooltip>
  );
}
