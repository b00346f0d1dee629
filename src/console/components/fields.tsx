// Form controls, each with its label tied to it and its hint read with it (aria-describedby).
import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import { useId } from 'preact/hooks';

interface Common {
  label: string;
  hint?: string;
  required?: boolean;
}

function Hint({ id, hint }: { id: string; hint: string | undefined }) {
  return hint ? (
    <p class="hint" id={id}>
      {hint}
    </p>
  ) : null;
}

export function TextField(
  props: Common & {
    value: string;
    onValue(value: string): void;
    type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'datetime-local' | 'search';
    autoComplete?: string;
    multiline?: boolean;
    name?: string;
    min?: number;
    step?: string;
  },
) {
  const id = useId();
  const hintId = `${id}-hint`;
  const shared = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    'aria-describedby': props.hint ? hintId : undefined,
    onInput: (e: Event) => props.onValue((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea rows={3} {...shared} />
      ) : (
        <input {...({ type: props.type ?? 'text', autoComplete: props.autoComplete, min: props.min, step: props.step, ...shared } as InputHTMLAttributes<HTMLInputElement>)} />
      )}
      <Hint id={hintId} hint={props.hint} />
    </div>
  );
}

export function SelectField<V extends string>(props: Common & { value: V; onValue(value: NoInfer<V>): void; options: { value: NoInfer<V>; label: string }[]; name?: string; disabled?: boolean }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        required={props.required}
        disabled={props.disabled}
        aria-describedby={props.hint ? hintId : undefined}
        onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value as V)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Hint id={hintId} hint={props.hint} />
    </div>
  );
}

export function CheckboxField(props: { label: ComponentChildren; checked: boolean; onValue(checked: boolean): void; name?: string }) {
  const id = useId();
  return (
    <div class="field checkbox">
      <input type="checkbox" id={id} name={props.name} checked={props.checked} onChange={(e) => props.onValue((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/** One choice among a few, as radio buttons in a fieldset whose legend names the question. */
export function RadioGroup<V extends string>(props: { legend: string; value: V | ''; onValue(value: NoInfer<V>): void; options: { value: NoInfer<V>; label: string }[]; name: string; required?: boolean }) {
  const id = useId();
  return (
    <fieldset class="radio-group">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <div class="field checkbox" key={o.value}>
          <input type="radio" id={`${id}-${o.value}`} name={props.name} value={o.value} checked={props.value === o.value} required={props.required} onChange={() => props.onValue(o.value)} />
          <label for={`${id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** A form's submit button, showing that the call is under way. */
export function Submit({ busy, children }: { busy: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
      {children}
    </button>
  );
}
