// The slides' browser check: opens deck.html in headless Chromium (offline: every request
// that is not a local file fails the check), steps through it with the keyboard, and checks
// that every slide renders: its images load, nothing overflows the slide, and it has
// speaker notes. Saves a screenshot of the first slide and of each lesson's first slide
// under ../target/slides/. Run it with `npm test` after `npm run build`.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "target", "slides");
mkdirSync(out, { recursive: true });
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const problems = [];
const browser = await chromium.launch({
  executablePath: browserPath,
  args: ["--no-sandbox", "--headless=new"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on("request", (request) => {
    if (!request.url().startsWith("file:") && !request.url().startsWith("data:")) {
      problems.push(`the deck asked the network for ${request.url()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`a script error: ${error.message}`));
  await page.goto(pathToFileURL(path.join(here, "deck.html")).href);
  const total = await page.locator("section[data-marpit-pagination]").count();
  if (total < 20) problems.push(`only ${total} slides`);
  const notes = await page.locator(".bespoke-marp-note").count();
  const shots = [];
  for (let i = 1; i <= total; i++) {
    if (i > 1) {
      await page.keyboard.press("ArrowRight");
      // The keyboard moved the deck: the page's hash names the slide shown.
      await page.waitForFunction((n) => location.hash === `#${n}`, i, { timeout: 5000 }).catch(() => {
        problems.push(`slide ${i}: the right arrow did not bring it (at ${page.url()})`);
      });
    }
    const slide = page.locator(`section[id="${i}"]`);
    const report = await slide.evaluate(async (section) => {
      const images = [...section.querySelectorAll("img")];
      await Promise.all(images.map((img) => (img.complete ? null : new Promise((r) => { img.onload = img.onerror = r; }))));
      const broken = images.filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.getAttribute("src"));
      const box = section.getBoundingClientRect();
      const overflowing = [...section.querySelectorAll("h1, h2, p, li, img, pre, table")]
        .filter((el) => {
          const r = el.getBoundingClientRect();
          const scale = box.height / section.offsetHeight; // the slide is scaled to the window
          return r.bottom > box.bottom + 2 * scale || r.right > box.right + 2 * scale;
        })
        .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("src") || "").trim().slice(0, 40)}"`);
      const title = (section.querySelector("h1")?.textContent ?? "").trim();
      return { broken, overflowing, title, lead: section.classList.contains("lead") };
    });
    for (const src of report.broken) problems.push(`slide ${i} (${report.title}): the image ${src} does not load`);
    for (const what of report.overflowing) problems.push(`slide ${i} (${report.title}): ${what} overflows the slide`);
    if (!report.title) problems.push(`slide ${i}: no title`);
    const lesson = report.lead && /^\d\./.test(report.title);
    if (i === 1 || lesson) {
      // The lesson's title slide, and the next one: its title and its picture.
      const name = i === 1 ? "00-opening" : `lesson-${report.title.slice(0, 1)}`;
      await page.screenshot({ path: path.join(out, `${name}.png`) });
      shots.push(name);
    }
    if (lesson) {
      await page.keyboard.press("ArrowRight");
      await page.waitForFunction((n) => location.hash === `#${n}`, i + 1, { timeout: 5000 }).catch(() => {});
      await page.screenshot({ path: path.join(out, `lesson-${report.title.slice(0, 1)}-first.png`) });
      await page.keyboard.press("ArrowLeft");
      await page.waitForFunction((n) => location.hash === `#${n}`, i, { timeout: 5000 }).catch(() => {
        problems.push(`slide ${i}: the left arrow did not come back`);
      });
    }
  }
  if (notes < total) problems.push(`${total - notes} of ${total} slides have no speaker notes`);
  if (shots.length !== 7) problems.push(`screenshots of ${shots.length} title slides, not the opening and six lessons`);
  console.log(`${total} slides, ${notes} with notes; screenshots in ${out}: ${shots.join(", ")}`);
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.map((p) => `- ${p}`).join("\n"));
  process.exit(1);
}
