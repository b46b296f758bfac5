import { render } from 'preact';
import { App } from './app.js';

// The shell (Electron or the browser launcher) opens the UI with the per-boot bridge token in the URL
// fragment, which the browser never sends to any server.
const fragment = new URLSearchParams(location.hash.slice(1));
const token = fragment.get('token') ?? '';
const root = document.getElementById('app');
if (root) render(<App token={token} startInMaintenance={fragment.has('maintenance')} />, root);
