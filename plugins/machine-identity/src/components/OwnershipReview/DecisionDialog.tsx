import type { ReviewDecisionKind } from '@keyring/plugin-machine-identity-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';

/** The comment (and, for `reassign`, the receiving Group) of a decision on the selected items. */
export function DecisionDialog(props: {
  decision: Exclude<ReviewDecisionKind, 'confirm'>;
  count: number;
  onCancel: () => void;
  onSubmit: (input: { comment: string; toOwner?: string }) => void;
}) {
  const { decision, count } = props;
  const [comment, setComment] = useState('');
  const [toOwner, setToOwner] = useState('');
  const title =
    decision === 'reassign' ? `Reassign ${count} identities to another Group` : `Request the revocation of ${count} identities`;
  const ready = comment.trim().length > 0 && (decision !== 'reassign' || toOwner.trim().length > 0);
  return (
    <Dialog open onClose={props.onCancel} aria-labelledby="review-decision-title" fullWidth maxWidth="sm">
      <DialogTitle id="review-decision-title">{title}</DialogTitle>
      <DialogContent>
        {decision === 'reassign' && (
          <TextField
            id="review-decision-to-owner"
            fullWidth
            margin="dense"
            label="Receiving Group (e.g. group:default/identity)"
            value={toOwner}
            onChange={e => setToOwner(e.target.value)}
            helperText="The identity stays with your Group until that Group accepts it."
          />
        )}
        <TextField
          id="review-decision-comment"
          autoFocus={decision !== 'reassign'}
          fullWidth
          multiline
          margin="dense"
          label="Why? (required)"
          value={comment}
          onChange={e => setComment(e.target.value)}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!ready}
          onClick={() => props.onSubmit({ comment: comment.trim(), toOwner: toOwner.trim() || undefined })}
        >
          {decision === 'reassign' ? 'Reassign' : 'Request revocation'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
