// The console's entry (bundled by scripts/console-bundle.ts into dist/console).
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
