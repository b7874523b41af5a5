import { mount } from 'svelte';
import './styles/theme.css';
import App from './App.svelte';
import { getApi } from './api';

mount(App, { target: document.getElementById('app')!, props: { api: getApi() } });
