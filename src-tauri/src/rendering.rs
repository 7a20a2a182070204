//! How the window draws. On Linux, WebKitGTK paints the page with Skia on the GPU, through
//! OpenGL. Without a GPU (no DRM render node: a virtual machine, a remote or headless
//! session) that OpenGL is Mesa's software rasteriser, llvmpipe: every tile painted by GL
//! emulated on the CPU, after LLVM has compiled the shaders it needs. Skia painting on the
//! CPU itself does the same work for less: measured on a 2-core machine without a GPU
//! (`scripts/bench-window.sh`, medians of 7 launches in one run), the window with a thousand
//! profiles painted its list in 762 ms with 317 MiB (PSS) through llvmpipe, and in 605 ms
//! with 289 MiB painting on the CPU. So without a render node the window paints on the CPU;
//! with one, nothing changes. A value the user gives `WEBKIT_SKIA_ENABLE_CPU_RENDERING` is
//! left as it is.

/// The WebKitGTK variable that makes Skia paint on the CPU.
pub const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Chooses before GTK and WebKit start (they read the variable once), so call it first,
/// before any other thread runs.
pub fn choose() {
    #[cfg(target_os = "linux")]
    if std::env::var_os(CPU_PAINTING).is_none() && !has_render_node() {
        std::env::set_var(CPU_PAINTING, "1");
    }
}

/// Whether a GPU can render: a DRM render node (`/dev/dri/renderD128`…) exists.
#[cfg(target_os = "linux")]
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").map(|dir| dir.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD"))).unwrap_or(false)
}
