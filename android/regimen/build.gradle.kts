// The Regimen Android library: the Rust library cross-compiled with cargo-ndk for three ABIs,
// the Kotlin bindings generated from it on every build, the facade and the shell. Not run on the
// development machines (no SDK, NDK or Google Maven there): see ../settings.gradle.kts.
import org.gradle.api.tasks.Exec

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

/** The Regimen checkout (this file is android/regimen/build.gradle.kts). */
val checkout: File = rootDir.parentFile
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val jniLibsOut = layout.buildDirectory.dir("rust/jniLibs")
val bindingsOut = layout.buildDirectory.dir("generated/regimen/kotlin")
/** The host's debug library: bindings are generated from an unstripped build of the same source. */
val hostLibrary: File = checkout.resolve("target/debug/" + System.mapLibraryName("regimen_ffi"))

android {
    namespace = "org.regimen.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += abis }
    }

    sourceSets["main"].apply {
        kotlin.srcDirs("src/main/kotlin", "src/androidMain/kotlin", bindingsOut)
        jniLibs.srcDir(jniLibsOut)
    }
    sourceSets["test"].kotlin.srcDirs("src/test/kotlin")

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    testOptions.unitTests.all { it.useJUnitPlatform() }
}

kotlin {
    jvmToolchain(17)
    compilerOptions { allWarningsAsErrors.set(true) }
}

dependencies {
    // JNA as an AAR: it carries libjnidispatch.so for each ABI.
    implementation("net.java.dev.jna:jna:5.14.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.1")
    implementation("org.unifiedpush.android:connector:3.1.2")

    // JVM unit tests load the host library through the plain JNA jar.
    testImplementation("net.java.dev.jna:jna:5.14.0")
    testImplementation("org.junit.jupiter:junit-jupiter:5.10.2")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher:1.10.2")
    testImplementation("com.google.zxing:core:3.5.3")
}

// libregimen_ffi.so for every ABI: a release build with link-time optimisation, which Cargo
// only runs with `cargo rustc --crate-type cdylib` (a `lib` crate type beside it turns LTO off).
val cargoNdk = tasks.register<Exec>("cargoNdk") {
    description = "Cross-compiles libregimen_ffi.so with cargo-ndk"
    workingDir = checkout
    commandLine(
        listOf("cargo", "ndk") + abis.flatMap { listOf("-t", it) } +
            listOf("--platform", "26", "-o", jniLibsOut.get().asFile.path) +
            listOf("rustc", "--locked", "-p", "regimen-ffi", "--release", "--crate-type", "cdylib"),
    )
    inputs.dir(checkout.resolve("core/src"))
    inputs.dir(checkout.resolve("uniffi/src"))
    inputs.file(checkout.resolve("Cargo.lock"))
    outputs.dir(jniLibsOut)
}

// The Kotlin bindings, generated in library mode from the host's debug build on every build.
val generateBindings = tasks.register<Exec>("generateRegimenBindings") {
    description = "Generates org.regimen.bindings from the Rust library"
    workingDir = checkout
    commandLine(
        "sh", "-c",
        "cargo build --locked -q -p regimen-ffi && cargo build --locked -q -p uniffi-bindgen && " +
            "target/debug/uniffi-bindgen generate '${hostLibrary.path}' --language kotlin --no-format " +
            "--out-dir '${bindingsOut.get().asFile.path}'",
    )
    inputs.dir(checkout.resolve("core/src"))
    inputs.dir(checkout.resolve("uniffi/src"))
    outputs.dir(bindingsOut)
}

tasks.named("preBuild") { dependsOn(cargoNdk, generateBindings) }

tasks.withType<Test>().configureEach {
    dependsOn(generateBindings)
    systemProperty("jna.library.path", hostLibrary.parentFile.path)
    systemProperty("regimen.root", checkout.path)
}
