// Placeholder until the data pipeline lands: makes sure public/data exists.
import { mkdirSync } from 'node:fs';
mkdirSync(new URL('../public/data/', import.meta.url), { recursive: true });
