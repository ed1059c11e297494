// Loads every property definition into the registry.
import './webdav.js';
import './caldav.js';
import './calendarserver.js';
import './apple.js';
import './scheduling.js';
import './principal-people.js';
export * from './registry.js';
export * from './row-derived.js';
