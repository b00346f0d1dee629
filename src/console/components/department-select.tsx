// Departments by their legal names, from the directory (GET /public-data/departments), instead of party ids.
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { useI18n } from '../i18n/i18n';
import { useLoad, type Loaded } from '../lib/use-load';
import { SelectField } from './fields';
import { ProblemAlert } from './problem';

export type Department = paths['/public-data/departments']['get']['responses']['200']['content']['application/json']['items'][number];
export type Directory = Loaded<Department[]>;

/** The whole directory, page by page: the departments are dozens, so a page loads it once and names them all. */
export function useDepartments(): Directory {
  return useLoad(async () => {
    const all: Department[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(api.GET('/public-data/departments', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }));
      all.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    return all;
  }, []);
}

/** A department's legal name, or undefined while the directory loads or when the department is not in it (its verification ended). */
export const departmentName = (directory: Directory, id: string) => directory.data?.find((d) => d.id === id)?.legalName;

/** A short form of an id the directory does not name. */
const shortId = (id: string) => `${id.slice(0, 8)}…`;

/** A department's name where lists show it; the start of its id (the whole in a tooltip) when the directory does not name it. */
export function DepartmentName({ directory, id }: { directory: Directory; id: string }) {
  const name = departmentName(directory, id);
  return name ?? <code title={id}>{shortId(id)}</code>;
}

/** The same as text, for captions and messages. */
export const departmentLabel = (directory: Directory, id: string) => departmentName(directory, id) ?? shortId(id);

/**
 * A department chosen by its name; the value is its party id. Disabled while the directory loads;
 * the API's problem if it could not be read. A suspended department is marked, not hidden: the
 * API says what it may not do. A filter names its empty first option (`empty`, e.g. any department).
 */
export function DepartmentSelect(props: { label: string; hint?: string; directory: Directory; value: string; onValue(id: string): void; required?: boolean; empty?: string }) {
  const { t } = useI18n();
  const { data, loading, error } = props.directory;
  const placeholder = data ? (data.length ? (props.empty ?? t('departments.choose')) : t('departments.none')) : loading ? t('common.loading') : t('departments.unavailable');
  return (
    <>
      <SelectField
        label={props.label}
        hint={props.hint}
        required={props.required}
        disabled={!data}
        value={props.value}
        onValue={props.onValue}
        options={[{ value: '', label: placeholder }, ...(data ?? []).map((d) => ({ value: d.id, label: d.suspended ? t('departments.suspended', { name: d.legalName }) : d.legalName }))]}
      />
      <ProblemAlert error={error} />
    </>
  );
}
