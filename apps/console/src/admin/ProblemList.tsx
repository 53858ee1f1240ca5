import { useI18n } from '../i18n/i18n.tsx';
import { fieldLabel, type Problem, problemText } from './form-errors.ts';

/** Why a form was refused: the message, and every problem naming its field. */
export function ProblemList({ message, problems, labels }: { message: string | null; problems: readonly Problem[]; labels: Readonly<Record<string, string>> }) {
  const { t } = useI18n();
  if (!message && problems.length === 0) return null;
  return (
    <div className="error problems" role="alert">
      {message && <p>{t('app.error', { message })}</p>}
      {problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            <li key={i}>
              <strong>{fieldLabel(p.field, labels)}</strong>: {problemText(p, t)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
