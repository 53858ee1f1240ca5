import { useI18n } from '../i18n/i18n.tsx';
import { type Problem, problemsAt, problemText } from './form-errors.ts';

/** The problems of one field, under its control. */
export function FieldProblems({ problems, field }: { problems: readonly Problem[]; field: string }) {
  const { t } = useI18n();
  return (
    <>
      {problemsAt(problems, field).map((p, i) => (
        <small key={i} className="error">
          {problemText(p, t)}
        </small>
      ))}
    </>
  );
}
