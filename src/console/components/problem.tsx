import type { ApiError } from '../api/client';
import { useI18n } from '../i18n/i18n';

/**
 * What the API said when it refused: its problem's title and detail, in the language the console
 * asked for (Accept-Language), and which fields were wrong. Announced to screen readers.
 */
export function ProblemAlert({ error }: { error: ApiError | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  const { problem } = error;
  const unreachable = problem.status === 0;
  return (
    <div class="problem" role="alert">
      <p class="problem-title">{unreachable ? t('error.network') : problem.title}</p>
      {problem.detail && <p class="problem-detail">{problem.detail}</p>}
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.path}>
              <code>{e.path}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {problem.requestId && <p class="problem-request">{t('error.requestId', { id: problem.requestId })}</p>}
    </div>
  );
}
