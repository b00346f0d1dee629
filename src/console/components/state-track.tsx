import { useI18n } from '../i18n/i18n';

/**
 * Where a record is on its state machine: the states of its main path in order, the detours it
 * took, each marked done, current or not yet (in words for screen readers, not only in colour).
 * Orders and public-data requests each pass their own path and the states they have been in.
 */
export function StateTrack<S extends string>(props: { label: string; path: S[]; visited: S[]; current: S; name(state: S): string }) {
  const { t } = useI18n();
  const visited = new Set<S>([...props.visited, props.current]);
  const detours = [...visited].filter((s) => !props.path.includes(s));
  return (
    <nav aria-label={props.label}>
      <ol class="track">
        {[...props.path, ...detours].map((status) => {
          const state = status === props.current ? 'current' : visited.has(status) ? 'done' : 'todo';
          return (
            <li key={status} class={`track-${state}${detours.includes(status) ? ' track-detour' : ''}`} aria-current={state === 'current' ? 'step' : undefined}>
              <span class="visually-hidden">{t(`track.${state}`)} </span>
              {props.name(status)}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
