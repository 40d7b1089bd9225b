import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';

/** A dialog asking for one mandatory text (a reason, a comment) before confirming. */
export function TextPromptDialog(props: {
  id: string;
  open: boolean;
  title: string;
  label: string;
  confirmLabel: string;
  busy?: boolean;
  onCancel: () => void;
  onConfirm: (text: string) => void;
}) {
  const [text, setText] = useState('');
  return (
    <Dialog open={props.open} onClose={props.onCancel} aria-labelledby={`${props.id}-title`}>
      <DialogTitle id={`${props.id}-title`}>{props.title}</DialogTitle>
      <DialogContent>
        <TextField id={`${props.id}-text`} autoFocus fullWidth multiline label={props.label} value={text} onChange={e => setText(e.target.value)} />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button color="primary" disabled={props.busy || text.trim().length === 0} onClick={() => props.onConfirm(text.trim())}>
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
