# Installs `lab` on Windows from a release: the archive, its checksum checked against the
# release's sha256.sum, lab.exe put in a folder of your PATH.
#
#   powershell -ExecutionPolicy Bypass -c "irm https://github.com/lab-course/lab/releases/latest/download/install.ps1 | iex"
#
# LAB_VERSION          the release to install, e.g. 0.1.0 (default: the latest)
# LAB_INSTALL_BASE     where the release's files are: a URL, a local folder or a file:// URL
# LAB_INSTALL_DIR      where lab.exe goes (default: %LOCALAPPDATA%\lab\bin)
# LAB_NO_MODIFY_PATH   set to 1 to leave your PATH alone

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$RepoUrl = 'https://github.com/lab-course/lab'

function Say($msg) { Write-Host "lab installer: $msg" }
function Fail($msg) {
    [Console]::Error.WriteLine("lab installer: error: $msg")
    exit 1
}

$arch = $env:PROCESSOR_ARCHITECTURE
if ($arch -ne 'AMD64' -and $arch -ne 'ARM64') {
    Fail "no build of lab for the processor `"$arch`" (there is an x86_64 one, which also runs on ARM64 Windows)"
}
# ARM64 Windows runs the x86_64 build.
$Target = 'x86_64-pc-windows-msvc'
$Asset = "lab-$Target.zip"

$Version = if ($env:LAB_VERSION) { $env:LAB_VERSION.TrimStart('v') } else { 'latest' }
if ($env:LAB_INSTALL_BASE) {
    $Base = $env:LAB_INSTALL_BASE.TrimEnd('/', '\')
} elseif ($Version -eq 'latest') {
    $Base = "$RepoUrl/releases/latest/download"
} else {
    $Base = "$RepoUrl/releases/download/v$Version"
}
$Dest = if ($env:LAB_INSTALL_DIR) { $env:LAB_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'lab\bin' }

function Fetch($name, $to) {
    if ($Base -match '^https?://') {
        try { Invoke-WebRequest -UseBasicParsing -Uri "$Base/$name" -OutFile $to }
        catch { Fail "could not download $Base/${name}: $($_.Exception.Message)" }
    } else {
        $dir = $Base -replace '^file:///?', ''
        $from = Join-Path $dir $name
        if (-not (Test-Path -LiteralPath $from -PathType Leaf)) {
            Fail "$from does not exist (LAB_INSTALL_BASE must be a folder holding the release's files)"
        }
        Copy-Item -LiteralPath $from -Destination $to
    }
}

$Tmp = Join-Path ([IO.Path]::GetTempPath()) ("lab-install-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $Tmp | Out-Null
try {
    Say "downloading $Asset from $Base"
    $zip = Join-Path $Tmp $Asset
    $sums = Join-Path $Tmp 'sha256.sum'
    Fetch $Asset $zip
    Fetch 'sha256.sum' $sums

    # A line of sha256.sum is "<hash>  <name>" (or "<hash> *<name>").
    $expected = $null
    foreach ($line in Get-Content -LiteralPath $sums) {
        $parts = $line.Trim() -split '\s+', 2
        if ($parts.Count -eq 2 -and $parts[1].TrimStart('*') -eq $Asset) { $expected = $parts[0].ToLower(); break }
    }
    if (-not $expected) { Fail "sha256.sum has no checksum for ${Asset}: nothing installed" }
    $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $zip).Hash.ToLower()
    if ($actual -ne $expected) {
        Fail "checksum mismatch for ${Asset}: expected $expected, got $actual. The download is corrupt or was tampered with: nothing installed. Try again; if it happens again, report it."
    }
    Say "checksum verified (sha256 $actual)"

    $x = Join-Path $Tmp 'x'
    Expand-Archive -LiteralPath $zip -DestinationPath $x
    $exe = Get-ChildItem -LiteralPath $x -Recurse -Filter 'lab.exe' | Select-Object -First 1
    if (-not $exe) { Fail "$Asset holds no lab.exe" }

    New-Item -ItemType Directory -Force -Path $Dest | Out-Null
    $exePath = Join-Path $Dest 'lab.exe'
    # A running lab.exe cannot be overwritten, but it can be renamed away.
    if (Test-Path -LiteralPath $exePath) {
        $old = "$exePath.old"
        Remove-Item -LiteralPath $old -Force -ErrorAction SilentlyContinue
        Rename-Item -LiteralPath $exePath -NewName 'lab.exe.old'
    }
    Copy-Item -LiteralPath $exe.FullName -Destination $exePath
    $installed = & $exePath --version
    if ($LASTEXITCODE -ne 0) { Fail "$exePath was installed but does not run on this machine" }
    Say "installed $installed at $exePath"
} finally {
    Remove-Item -LiteralPath $Tmp -Recurse -Force -ErrorAction SilentlyContinue
}

$userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
$onPath = ($env:Path -split ';') -contains $Dest
if ($onPath) {
    Say "$Dest is on your PATH: run ``lab --help``"
} elseif ($env:LAB_NO_MODIFY_PATH -eq '1') {
    Say "$Dest is not on your PATH: add it (Settings > Environment variables), or run $exePath"
} else {
    $new = if ($userPath) { "$userPath;$Dest" } else { $Dest }
    [Environment]::SetEnvironmentVariable('Path', $new, 'User')
    Say "added $Dest to your user PATH: open a new terminal, then run ``lab --help``"
}
