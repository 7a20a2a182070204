// The window's state, given to every component below the shell through Svelte's context
// instead of being passed down prop by prop. The shell (App.svelte) makes it once.
import { createContext } from "svelte";
import { ListView } from "./list.svelte";
import { Profiles } from "./profiles.svelte";
import type { Start } from "../../start";

export type WindowState = { profiles: Profiles; list: ListView };

const [get, set] = createContext<WindowState>();

/** Makes the window's state from what it read first, and gives it to the components below. */
export function provideWindowState(start: Start): WindowState {
  const profiles = new Profiles(start);
  return set({ profiles, list: new ListView(profiles) });
}

/** The window's state, in a component below the shell. */
export const windowState = get;
