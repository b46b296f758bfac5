import { render } from 'preact';
import '../common/styles.css';
import './till.css';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) render(<App />, root);
