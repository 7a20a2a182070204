import { mount } from "svelte";
import App from "./App.svelte";
import { loadStart } from "./start";
import "./styles.css";

const target = document.getElementById("app");
if (!target) throw new Error("the page has no #app element");
void loadStart().then((start) => mount(App, { target, props: { start } }));
