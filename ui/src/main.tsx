import { render } from 'solid-js/web';
import '../../themes/NeonCyberNight.css';
import '../../themes/SerialSteel.css';
import './styles/app.css';
import { App } from './app.tsx';
import { restoreSession } from './session.ts';
import { applyTheme } from './theme.ts';

applyTheme();
render(() => <App />, document.getElementById('root')!);
void restoreSession();
