//! Colours and emphasis. Status is always a symbol too (o ! x ?), so the monochrome theme
//! (NO_COLOR, or a terminal without colour) loses nothing but colour.

use ratatui::style::{Color, Modifier, Style};

use crate::model::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::colour()
    }
}

impl Theme {
    pub fn colour() -> Self {
        Theme { colour: true }
    }

    pub fn mono() -> Self {
        Theme { colour: false }
    }

    /// https://no-color.org: any non-empty NO_COLOR disables colour.
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => Theme::colour(),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.colour {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Ok => self.fg(Color::Green),
            Status::NoData => self.fg(Color::DarkGray).add_modifier(if self.colour {
                Modifier::empty()
            } else {
                Modifier::DIM
            }),
            Status::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Status::Crit => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    pub fn dim(&self) -> Style {
        if self.colour {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        self.dim()
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// An age past three collection intervals.
    pub fn stale(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn error(&self) -> Style {
        self.status(Status::Crit)
    }

    pub fn badge(&self) -> Style {
        if self.colour {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The context name in its configured colour, so prod is never mistaken for staging.
    pub fn context(&self, colour: Option<&str>) -> Style {
        let c = colour.and_then(|c| c.parse::<Color>().ok());
        match (self.colour, c) {
            (true, Some(c)) => Style::new()
                .fg(Color::Black)
                .bg(c)
                .add_modifier(Modifier::BOLD),
            _ => Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        }
    }

    pub fn chart(&self) -> Style {
        self.fg(Color::Cyan)
    }
}
