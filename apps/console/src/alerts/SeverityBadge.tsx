import { type Severity, SEVERITY_NAMES } from '@haidang/domain';
import { useI18n } from '../i18n/i18n.tsx';

/** A severity as a coloured label (colour and text: never colour alone). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  const { pick } = useI18n();
  return <span className={`badge sev-${severity}`}>{pick(SEVERITY_NAMES[severity])}</span>;
}
