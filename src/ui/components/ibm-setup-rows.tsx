/**
 * The setup form's IBM Cloud rows that are not fields: the lookup's row
 * (what it does, or what it chose) and the secrets the ibm backend reads,
 * set or not and masked, with the keys file the lookup wrote.
 */
import { Text } from 'ink';
import type { IbmLookup } from '../../core/ibm-lookup.js';
import { maskSecret } from '../../services/mask-secret.js';
import { useUi } from '../ui-context.js';
import { lookupTrail } from './ibm-lookup-view.js';

function hasApiKey(): boolean {
  return Boolean(process.env['ML_APIKEY'] || process.env['ML_APIKEY_FILE']);
}

/** The lookup's row: what it does, or what it chose. */
export function IbmLookupRow({
  lookup,
  focused,
}: {
  lookup: IbmLookup;
  focused: boolean;
}) {
  const { theme } = useUi();
  const trail = lookupTrail(lookup);
  if (!hasApiKey()) {
    return (
      <Text wrap="truncate-end" color={theme.muted}>
        ▶ look up needs ML_APIKEY or ML_APIKEY_FILE; type the values below
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end" color={focused ? theme.accent : theme.muted}>
      {focused ? 'Enter: ' : '▶ '}
      {trail || 'look up WML, the space, COS and its keys in your account'}
    </Text>
  );
}

/** The secrets, and where the keys the lookup wrote are for later sessions. */
export function IbmSecrets({ lookup }: { lookup: IbmLookup }) {
  const { theme } = useUi();
  const { keys } = lookup;
  const state = (name: string): string => {
    if (keys && name === 'AWS_ACCESS_KEY_ID') return keys.accessKeyId;
    if (keys && name === 'AWS_SECRET_ACCESS_KEY') return keys.secretAccessKey;
    const value = process.env[name];
    if (value) return maskSecret(value);
    return name === 'ML_APIKEY' && process.env['ML_APIKEY_FILE']
      ? 'from ML_APIKEY_FILE'
      : 'NOT SET';
  };
  return (
    <>
      <Text color={theme.muted}>
        {'    '}
        {['ML_APIKEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']
          .map((name) => `${name} ${state(name)}`)
          .join(' · ')}
      </Text>
      {keys ? (
        <>
          <Text color={theme.muted}>
            {'    '}The AWS keys are from {keys.file}, for this session only.
          </Text>
          <Text color={theme.muted}>
            {'    '}In a shell, before `maxrec train`: source {keys.file}
          </Text>
        </>
      ) : null}
    </>
  );
}
