//! The dashboard in a real browser: headless Chromium, driven through WebDriver
//! (`chromedriver`) with the `fantoccini` crate. A `LocalCluster` of three workers with the
//! dashboard runs a batch, and loses a worker in the middle of it; the page must show the
//! workers, draw a task stream, count the lost worker and bring the batch's progress bar to
//! the batch size. The test saves a screenshot of the page (the one in the book). A second
//! test runs a batch all given to one worker, then a late second worker, with work stealing
//! off and on, and saves both pages (section 5.4's pictures): the late worker runs nothing
//! without stealing and part of the batch with it.
//!
//! It needs `chromedriver` and a Chromium or Chrome it can start (Debian:
//! `apt-get install chromium chromium-driver`; `CHROMEDRIVER` and `CHROME` name other
//! paths). Without them it says so on the terminal and skips, except under CI (`CI` set),
//! where a missing browser fails the test: `.ci/run` installs one.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use lesson_05_distributed::answers::Answers;
use lesson_05_distributed::cluster::LocalCluster;
use lesson_05_distributed::scheduler::Config;
use lesson_05_distributed::solution::gather;
use lesson_05_distributed::tasks::{Sleep, Square};
use shared::testing::within_for;

/// The whole browser session, start to screenshot.
const LIMIT: Duration = Duration::from_secs(90);
/// Tasks in the batch: sleeps of 20 to 160 ms, so that the task stream has bars to draw,
/// one straggler of 1.5 s, and squares, which take no time at all.
const SLEEPS: u64 = 90;
/// The worker is lost once this many sleeps are done.
const KILL_AFTER: usize = 30;
const STRAGGLER_US: u64 = 1_500_000;
const SQUARES: i64 = 2_000;

/// One browser at a time: two chromedrivers and their Chromiums starting together on a
/// 2-core machine were seen to lose one of them.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_browser() -> std::sync::MutexGuard<'static, ()> {
    ONE_BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn the_dashboard_shows_the_workers_and_a_batch_completing_in_a_real_browser() {
    let _one = one_browser();
    let Some(tools) = Tools::find() else {
        let why = "no `chromedriver` on PATH (or in CHROMEDRIVER)";
        if std::env::var_os("CI").is_some() {
            panic!("{why}; under CI the browser test must run: `.ci/run` installs chromium");
        }
        // Straight to the terminal: the test harness would swallow println! of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED the dashboard's browser test: {why}. \
             Install one to run it (Debian/Ubuntu: sudo apt-get install chromium chromium-driver)."
        );
        return;
    };
    // The driver lives on this thread: if the session below panics or runs out of time,
    // unwinding drops it, which stops chromedriver and the browser it started.
    let driver = Driver::start(&tools).expect("chromedriver starts");
    let url = driver.url();
    let png = within_for("5 (dashboard)", LIMIT, move || session(&url, tools.chrome));
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    std::fs::write(&path, &png).expect("the screenshot is saved");
    // Where the book's picture comes from: PARALLEL_RUST_SCREENSHOT=book/src/images/05-dashboard.png
    // (a relative path is taken from the workspace's root).
    if let Some(copy) = std::env::var_os("PARALLEL_RUST_SCREENSHOT") {
        let copy = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(copy);
        std::fs::write(&copy, &png).expect("the screenshot is copied");
    }
    let _ = writeln!(
        std::io::stderr(),
        "dashboard screenshot: {}",
        path.display()
    );
    drop(driver);
}

#[test]
fn the_task_stream_shows_a_late_worker_idle_without_stealing_and_busy_with_it() {
    let _one = one_browser();
    let Some(tools) = Tools::find() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "no `chromedriver`; under CI the browser test must run: `.ci/run` installs chromium"
            );
        }
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED the stealing browser test: no `chromedriver` on PATH (or in CHROMEDRIVER)."
        );
        return;
    };
    let driver = Driver::start(&tools).expect("chromedriver starts");
    for steal in [false, true] {
        let (url, chrome) = (driver.url(), tools.chrome.clone());
        let (png, late_done) = within_for("5 (dashboard)", LIMIT, move || {
            late_joiner(&url, chrome, steal)
        });
        if steal {
            assert!(
                late_done > 0,
                "with stealing, the late worker ran part of the batch"
            );
        } else {
            assert_eq!(
                late_done, 0,
                "without stealing, the late worker ran nothing"
            );
        }
        let name = if steal {
            "steal-on.png"
        } else {
            "steal-off.png"
        };
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&path, &png).expect("the screenshot is saved");
        // The book's pictures: PARALLEL_RUST_STEAL_SCREENSHOTS=book/src/images writes
        // 05-steal-off.png and 05-steal-on.png there.
        if let Some(dir) = std::env::var_os("PARALLEL_RUST_STEAL_SCREENSHOTS") {
            let copy = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(dir)
                .join(format!("05-{name}"));
            std::fs::write(&copy, &png).expect("the screenshot is copied");
        }
        let _ = writeln!(std::io::stderr(), "stealing screenshot: {}", path.display());
    }
    drop(driver);
}

/// A batch of 600 sleeps of 5 ms all given to one worker (its window holds them), then a
/// second worker, with the dashboard open; returns the page's screenshot once the batch is
/// done, and how many tasks the late worker ran (the scheduler's count).
fn late_joiner(webdriver: &str, chrome: Option<PathBuf>, steal: bool) -> (Vec<u8>, u64) {
    const TASKS: usize = 600;
    let config = Config {
        depth: TASKS as u32,
        steal,
        ..Config::default()
    };
    let (cluster, addr) =
        LocalCluster::start_with_dashboard(Answers::SOLUTION, 1, config).expect("a local cluster");
    let client = cluster.client().expect("a client");
    let png = cluster.block_on(async {
        let browser = open_page(webdriver, chrome, addr).await;
        let futures = client.map::<Sleep>(&vec![5_000; TASKS]).await;
        client.workers().await.expect("the batch is in");
        png_after(&browser, &cluster, futures, TASKS).await
    });
    let late = cluster
        .snapshot()
        .expect("running")
        .workers
        .get(1)
        .map_or(0, |w| w.done);
    (png, late)
}

/// A headless browser session behind `webdriver` (with `chrome` if given), on the dashboard
/// at `addr`.
async fn open_page(
    webdriver: &str,
    chrome: Option<PathBuf>,
    addr: SocketAddr,
) -> fantoccini::Client {
    let mut options = serde_json::json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--disable-crash-reporter",
                 "--window-size=1000,760"],
    });
    if let Some(chrome) = chrome {
        options["binary"] = chrome.display().to_string().into();
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let browser = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .expect("a browser session");
    browser
        .goto(&format!("http://{addr}/"))
        .await
        .expect("the page loads");
    browser
}

/// Adds the late worker, waits for the batch, and for the page to show it complete.
async fn png_after(
    browser: &fantoccini::Client,
    cluster: &LocalCluster,
    futures: Vec<lesson_05_distributed::client::TaskFuture<()>>,
    tasks: usize,
) -> Vec<u8> {
    let handle = cluster.handle().clone();
    cluster.add_worker(Answers::SOLUTION, 1);
    assert!(handle.wait_for_workers(2).await, "the late worker joins");
    let done = gather(futures, &common::bar(tasks)).await.expect("sleeps");
    assert_eq!(done.len(), tasks);
    let complete = format!("div.batch[data-finished='{tasks}'][data-submitted='{tasks}']");
    let shown = browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(&complete))
        .await;
    assert!(shown.is_ok(), "the page never showed the batch complete");
    let png = browser.screenshot().await.expect("a screenshot");
    browser.clone().close().await.expect("the browser closes");
    png
}

/// Starts a cluster with its dashboard, opens the page in the browser behind `webdriver`,
/// runs the batch, checks what the page shows, and returns a PNG screenshot.
fn session(webdriver: &str, chrome: Option<PathBuf>) -> Vec<u8> {
    // Tasks of 20 ms and more: two in flight per worker thread, not 64, so that results come
    // back as they are done (a worker sends its results when its queue is empty) and the
    // last tasks are not queued behind the straggler (see `Config::depth`).
    let config = Config {
        depth: 2,
        ..Config::default()
    };
    let (cluster, addr) =
        LocalCluster::start_with_dashboard(Answers::SOLUTION, 3, config).expect("a local cluster");
    let client = cluster.client().expect("a client");
    cluster.block_on(async {
        let browser = open_page(webdriver, chrome, addr).await;

        let workers = browser
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("tr.worker:nth-child(3)"))
            .await;
        assert!(workers.is_ok(), "the page never showed the three workers");

        let mut sleeps: Vec<u64> = (0..SLEEPS).map(|i| 20_000 * (1 + i % 8)).collect();
        sleeps[SLEEPS as usize / 2] = STRAGGLER_US;
        let squares: Vec<i64> = (0..SQUARES).collect();
        let bar = common::bar(0);
        let mut later = client.map::<Sleep>(&sleeps).await;
        let first = later.drain(..KILL_AFTER).collect();
        let squared = gather(client.map::<Square>(&squares).await, &bar);
        // When the first sleeps are done, the third worker is running more. It dies with
        // them, and they run again elsewhere.
        assert_eq!(gather(first, &bar).await.expect("sleeps").len(), KILL_AFTER);
        cluster.kill_worker(2);
        assert_eq!(gather(later, &bar).await.expect("sleeps succeed").len(), 60);
        assert_eq!(squared.await.expect("squares succeed")[1999], 1999 * 1999);

        let total = SLEEPS + SQUARES as u64;
        let complete = format!("div.batch[data-finished='{total}'][data-submitted='{total}']");
        let shown = browser
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&complete))
            .await;
        assert!(
            shown.is_ok(),
            "the page never showed the batch at {total} / {total}"
        );
        let rows = browser
            .find_all(Locator::Css("tr.worker"))
            .await
            .expect("the workers table");
        assert_eq!(rows.len(), 2, "one row per worker still here");
        let status = browser
            .find(Locator::Id("status"))
            .await
            .expect("a status line");
        let status = status.text().await.expect("its text");
        assert!(
            status.contains("1 workers lost"),
            "the status line counts the lost worker: {status}"
        );
        // The task stream is a canvas: count the pixels the bars painted.
        let painted = browser
            .execute(
                "const c = document.getElementById('stream');
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let n = 0;
                 for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
                 return n;",
                vec![],
            )
            .await
            .expect("the script runs");
        assert!(
            painted.as_u64().is_some_and(|n| n > 500),
            "the task stream drew no bars: {painted} pixels painted"
        );
        let png = browser.screenshot().await.expect("a screenshot");
        browser.close().await.expect("the browser closes");
        png
    })
}

/// The WebDriver server, and the browser if it is not the one it finds by itself.
struct Tools {
    chromedriver: PathBuf,
    chrome: Option<PathBuf>,
}

impl Tools {
    fn find() -> Option<Tools> {
        let chromedriver = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| on_path("chromedriver"))?;
        let chrome = std::env::var_os("CHROME").map(PathBuf::from).or_else(|| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .into_iter()
            .find_map(on_path)
        });
        Some(Tools {
            chromedriver,
            chrome,
        })
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// A running chromedriver, in a process group of its own so that stopping it also stops the
/// browser it started, even if the session never closed.
struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Driver {
    fn start(tools: &Tools) -> std::io::Result<Driver> {
        // A free port: the driver has no way to tell us which one it took.
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let mut command = Command::new(&tools.chromedriver);
        command
            .arg(format!("--port={}", addr.port()))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = Driver {
            child: command.spawn()?,
            addr,
        };
        // Ready when it accepts connections; give up after 20 s.
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            if Instant::now() > deadline {
                return Err(std::io::Error::other(format!(
                    "{} did not listen on {addr} within 20 s",
                    tools.chromedriver.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The browser's processes are in the driver's group: stop them too, and wait (up
        // to 5 s) until none is left, so that nothing outlives the test.
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline
                && Command::new("kill")
                    .args(["-0", "--", &group])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|alive| alive.success())
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}
