// lamin serve in a real browser: Debian's Chromium driven by playwright-core. Builds an
// instance with a tracked run, opens the artifact list, filters it, opens an artifact, follows
// its lineage graph to the run and to the input, downloads the data, and saves screenshots.
// usage: node browser_test.mjs PATH/TO/lamin SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, rmSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { createInterface } from "node:readline";

const [lamin, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "lamin-browser-"));
const env = { ...process.env, LAMIN_SETTINGS_DIR: work, LAMIN_CACHE_DIR: join(work, "cache") };
const run = (...args) => execFileSync(lamin, args, { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] }).toString();

run("init", "--storage", join(work, "data"), "--name", "browser");
writeFileSync(join(work, "reads.fasta"), ">seq1\nACGT\n>seq2\nGGCC\n");
run("save", "reads.fasta", "--key", "raw/reads.fasta", "--description", "demo reads");
for (let i = 0; i < 60; i++) {  // more than one page of artifacts
  writeFileSync(join(work, `t${i}.txt`), `table ${i}\n`);
  run("save", `t${i}.txt`, "--key", `tables/t${i}.txt`);
}
writeFileSync(join(work, "count.sh"), `#!/bin/bash
reads=$("${lamin}" load --key raw/reads.fasta)
grep -c '^>' "$reads" > n_reads.txt
"${lamin}" save n_reads.txt --key results/n_reads.txt
`);
chmodSync(join(work, "count.sh"), 0o755);
run("run", "--", "./count.sh");
run("create", "ulabel", "demo");
run("annotate", "--key", "results/n_reads.txt", "--ulabel", "demo");

const server = spawn(lamin, ["serve", "--port", "0"], { cwd: work, env });
const url = await new Promise((resolve, reject) => {
  const lines = createInterface({ input: server.stdout });
  lines.on("line", (l) => l.startsWith("serving ") && resolve(l.split(" ")[1]));
  server.on("exit", (code) => reject(new Error(`lamin serve exited ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
let failed = false;
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const scripts = async () => page.locator("script").count();

  // 1. The list: the newest first, 50 to a page, a next page.
  await page.goto(url);
  assert.match(page.url(), /\/artifacts$/);
  assert.equal(await page.locator("tbody tr").count(), 50);
  assert.equal(await scripts(), 0);
  await page.screenshot({ path: join(shots, "1-artifacts.png"), fullPage: true });
  await page.getByRole("link", { name: "next →" }).click();
  assert.equal(await page.locator("tbody tr").count(), 13);  // 63 artifacts (incl. the run's)

  // 2. Filter by key prefix.
  await page.goto(url + "artifacts");
  await page.fill('input[name="key"]', "results/");
  await page.click('button[type="submit"]');
  assert.equal(await page.locator("tbody tr").count(), 1);
  await page.screenshot({ path: join(shots, "2-filtered.png"), fullPage: true });

  // 3. Open the artifact: fields, label, the lineage graph.
  await page.getByRole("link", { name: "results/n_reads.txt" }).first().click();
  assert.match(page.url(), /\/artifact\/[0-9A-Za-z]{20}$/);
  await page.locator("text=demo").first().waitFor();
  const svg = page.locator(".lineage svg");
  await svg.waitFor();
  await page.screenshot({ path: join(shots, "3-artifact.png"), fullPage: true });

  // 4. Follow the lineage: the run node, then its input.
  await page.locator('.lineage svg a[*|href^="/run/"]').first().click();
  assert.match(page.url(), /\/run\/[0-9A-Za-z]{16}$/);
  await page.locator("text=count.sh").first().waitFor();
  await page.screenshot({ path: join(shots, "4-run.png"), fullPage: true });
  await page.getByRole("link", { name: "raw/reads.fasta" }).first().click();
  assert.match(page.url(), /\/artifact\//);

  // 5. Download its data, verified by the server.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "download (verified)" }).click(),
  ]);
  const saved = join(work, "downloaded.fasta");
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, "utf8"), ">seq1\nACGT\n>seq2\nGGCC\n");
  assert.equal(download.suggestedFilename(), "reads.fasta");
  await page.screenshot({ path: join(shots, "5-input-artifact.png"), fullPage: true });

  // 6. Search.
  await page.goto(url + "artifacts?q=demo");
  assert.equal(await page.locator("tbody tr").count(), 1);
  console.log(`browser test: passed; screenshots in ${shots}`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
