import {
  IDENTITY_STATES,
  IDENTITY_TYPES,
  IdentityState,
  IdentityType,
} from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import InputAdornment from '@material-ui/core/InputAdornment';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import SearchIcon from '@material-ui/icons/Search';
import { useEffect, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { STATE_LABELS, TYPE_LABELS } from '../shared/labels';
import { IdentityFilters, hasFilters } from './filters';

/**
 * Type, state and "violating only" filters plus a debounced search box. Every
 * filter is applied by the server.
 */
export function IdentityFilterBar(props: {
  filters: IdentityFilters;
  onChange: (filters: IdentityFilters) => void;
}) {
  const { filters, onChange } = props;
  const [text, setText] = useState(filters.q ?? '');

  useEffect(() => setText(filters.q ?? ''), [filters.q]);

  useDebounce(
    () => {
      const q = text.trim() || undefined;
      if (q !== filters.q) {
        onChange({ ...filters, q });
      }
    },
    300,
    [text],
  );

  return (
    <Box
      display="flex"
      flexWrap="wrap"
      alignItems="center"
      mb={2}
      style={{ gap: 16 }}
      data-testid="machine-identity-filters"
    >
      <TextField
        label="Search"
        placeholder="Name, subject, SAN, fingerprint"
        size="small"
        variant="outlined"
        value={text}
        onChange={e => setText(e.target.value)}
        inputProps={{ 'aria-label': 'Search machine identities' }}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon fontSize="small" />
            </InputAdornment>
          ),
        }}
      />
      <FormControl size="small" variant="outlined" style={{ minWidth: 180 }}>
        <InputLabel id="mi-filter-type-label">Type</InputLabel>
        <Select
          labelId="mi-filter-type-label"
          label="Type"
          value={filters.type ?? ''}
          onChange={e =>
            onChange({
              ...filters,
              type: (e.target.value as IdentityType) || undefined,
            })
          }
          SelectDisplayProps={{ 'data-testid': 'filter-type' } as any}
        >
          <MenuItem value="">All types</MenuItem>
          {IDENTITY_TYPES.map(type => (
            <MenuItem key={type} value={type}>
              {TYPE_LABELS[type]}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <FormControl size="small" variant="outlined" style={{ minWidth: 180 }}>
        <InputLabel id="mi-filter-state-label">State</InputLabel>
        <Select
          labelId="mi-filter-state-label"
          label="State"
          value={filters.state ?? ''}
          onChange={e =>
            onChange({
              ...filters,
              state: (e.target.value as IdentityState) || undefined,
            })
          }
          SelectDisplayProps={{ 'data-testid': 'filter-state' } as any}
        >
          <MenuItem value="">All states</MenuItem>
          {IDENTITY_STATES.map(state => (
            <MenuItem key={state} value={state}>
              {STATE_LABELS[state]}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <FormControlLabel
        control={
          <Switch
            checked={!!filters.violating}
            onChange={e =>
              onChange({ ...filters, violating: e.target.checked || undefined })
            }
            color="primary"
          />
        }
        label="Violating only"
      />
      {hasFilters(filters) && (
        <Button
          size="small"
          onClick={() => {
            setText('');
            onChange({});
          }}
        >
          Clear filters
        </Button>
      )}
    </Box>
  );
}
