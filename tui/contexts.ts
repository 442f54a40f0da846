import { createContext, useContext } from 'react';
import { MESSAGES, type Messages } from './messages.js';
import { themeFromEnv, type Theme } from './theme.js';

export const MessagesContext = createContext<Messages>(MESSAGES.en);

export const ThemeContext = createContext<Theme>(themeFromEnv({}));

export function useMessages(): Messages {
  return useContext(MessagesContext);
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
