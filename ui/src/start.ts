// What the window shows first, asked for before anything is built. The page is then laid out
// and painted once, with the list in it: built first and filled when the list came, it was
// laid out twice, and a thousand profiles' window took a frame or two longer to show them.
import { call, errorMessage, type AppInfo, type ProfileSummary, type Template } from "./api";

export type Start = {
  profiles: ProfileSummary[];
  templates: Template[];
  info: AppInfo | null;
  /** Why something could not be read (the window opens all the same), or "". */
  error: string;
};

/** The list, the templates and the app's facts, asked for at once. */
export async function loadStart(): Promise<Start> {
  const [profiles, templates, info] = await Promise.allSettled([
    call("profiles_list"),
    call("templates"),
    call("app_info"),
  ]);
  const failed = [profiles, templates, info].find((r) => r.status === "rejected");
  return {
    profiles: profiles.status === "fulfilled" ? profiles.value : [],
    templates: templates.status === "fulfilled" ? templates.value : [],
    info: info.status === "fulfilled" ? info.value : null,
    error: failed ? errorMessage(failed.reason) : "",
  };
}
